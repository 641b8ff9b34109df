import { connectionWindowCanGrow } from "./bun-http2-workarounds.ts";

/**
 * Default HTTP/2 flow-control windows. Node's defaults (64 KiB for a stream
 * and for the connection) cap a stream's throughput at one window per round
 * trip, which makes large messages slow; gRPC stacks open them wider.
 */
export const DEFAULT_STREAM_WINDOW_BYTES = 1024 * 1024;

/** The default connection-level receive window (shared by all streams). */
export const DEFAULT_CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

/** The largest HTTP/2 window the protocol allows. */
export const MAX_WINDOW_BYTES = 2 ** 31 - 1;

/** The window options both sides accept. */
export interface WindowOptions {
  /** Receive window of each stream, in bytes (default 1 MiB). */
  streamWindowBytes?: number;
  /** Receive window of the whole connection, in bytes (default 16 MiB). */
  connectionWindowBytes?: number;
}

/** The HTTP/2 SETTINGS for a stream window. */
export function windowSettings(options: WindowOptions): { initialWindowSize: number } {
  return { initialWindowSize: options.streamWindowBytes ?? DEFAULT_STREAM_WINDOW_BYTES };
}

/**
 * Opens the connection-level window of a fresh session: the connection
 * window is not a SETTINGS value, it grows with a WINDOW_UPDATE.
 */
export function openConnectionWindow(
  session: { setLocalWindowSize?(size: number): void },
  options: WindowOptions,
): void {
  if (!connectionWindowCanGrow) return;
  const size = options.connectionWindowBytes ?? DEFAULT_CONNECTION_WINDOW_BYTES;
  try {
    session.setLocalWindowSize?.(size);
  } catch {
    // A runtime without setLocalWindowSize keeps its default window.
  }
}
