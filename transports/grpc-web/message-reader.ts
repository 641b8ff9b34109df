import {
  Code,
  type Compression,
  type Envelope,
  EnvelopeDecoder,
  FLAG_COMPRESSED,
  RpcError,
} from "../../mod.ts";
import { GrpcWebTextDecoder } from "./web-text.ts";

/**
 * Reads the gRPC frames of a gRPC-Web body as they arrive, decoding base64
 * first for `grpc-web-text`. The size limit applies to each frame's length
 * prefix, before its body is buffered. Stopping early cancels the body, and
 * so does `signal`, even for a body whose source ignores abort signals.
 */
export async function* readGrpcWebFrames(
  body: ReadableStream<Uint8Array> | null,
  text: boolean,
  maxMessageBytes: number,
  signal?: AbortSignal,
): AsyncGenerator<Envelope> {
  if (signal?.aborted) throw signal.reason;
  if (body === null) return;
  const frames = new EnvelopeDecoder(maxMessageBytes);
  const base64 = text ? new GrpcWebTextDecoder() : undefined;
  const reader = body.getReader();
  let finished = false;
  const onAbort = () => reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      const bytes = base64 === undefined ? value : base64.push(value);
      if (bytes.byteLength === 0) continue;
      for (const frame of frames.push(bytes)) yield frame;
    }
    finished = true;
    base64?.end();
    frames.end();
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

/**
 * The body of a message frame, decompressed with the call's encoding when
 * its compressed flag is set, and capped at `maxMessageBytes` once
 * decompressed.
 */
export function messageOf(
  frame: Envelope,
  compression: Compression,
  maxMessageBytes: number,
): Uint8Array | Promise<Uint8Array> {
  if ((frame.flags & FLAG_COMPRESSED) === 0) return frame.data;
  if (compression.name === "identity") {
    throw new RpcError(
      Code.INTERNAL,
      "received a compressed message but the call has no grpc-encoding",
    );
  }
  return compression.decompress(frame.data, maxMessageBytes);
}
