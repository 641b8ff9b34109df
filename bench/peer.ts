/**
 * What every benchmarked implementation provides: a server that serves
 * BenchService on a port, and a client that calls it. Each peer lives in
 * `bench/peers/<name>-server.ts` and `bench/peers/<name>-client.ts`.
 *
 * @module
 */

/** How a peer should set up HTTP/2 flow control. */
export interface PeerOptions {
  /** Use 1 MiB stream and 16 MiB connection windows instead of Node's 64 KiB defaults. */
  tunedWindows: boolean;
}

/** A running server. */
export interface ServerPeer {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Stops listening and drops connections. */
  close(): Promise<void>;
}

/** Starts a server on an ephemeral port of 127.0.0.1. */
export type StartServer = (options: PeerOptions) => Promise<ServerPeer>;

/** One open bidi stream used for ping-pong round trips. */
export interface PingPongStream {
  /** Sends one payload and waits until it comes back. */
  roundTrip(): Promise<void>;
  /** Half-closes the stream and waits for its status. */
  close(): Promise<void>;
}

/** A connected client. Every method checks that the call succeeded. */
export interface ClientPeer {
  /** One unary call echoing `body`; resolves with the size received (the body, or the whole message for bare peers). */
  unary(body: Uint8Array): Promise<number>;
  /** One server-streaming call of `count` payloads of `size` bytes; resolves with the count received. */
  serverStream(count: number, size: number): Promise<number>;
  /** One client-streaming call sending `count` payloads of `body`; resolves with the count the server saw. */
  clientStream(count: number, body: Uint8Array): Promise<number>;
  /** Opens a bidi stream for ping-pong with payloads of `body`. */
  openPingPong(body: Uint8Array): Promise<PingPongStream>;
  /** Closes connections. */
  close(): Promise<void>;
}

/** Connects a client to a server on 127.0.0.1:`port`; `concurrency` is the calls it will have in flight. */
export type ConnectClient = (
  port: number,
  options: PeerOptions & { concurrency: number },
) => Promise<ClientPeer>;

/** The `:path` of each BenchService method. */
export const benchPaths = {
  unary: "/wirecall.bench.v1.BenchService/Unary",
  serverStream: "/wirecall.bench.v1.BenchService/ServerStream",
  clientStream: "/wirecall.bench.v1.BenchService/ClientStream",
  pingPong: "/wirecall.bench.v1.BenchService/PingPong",
} as const;

/** The tuned HTTP/2 stream window: 1 MiB. */
export const TUNED_STREAM_WINDOW = 1 << 20;
/** The tuned HTTP/2 connection window: 16 MiB. */
export const TUNED_CONNECTION_WINDOW = 16 << 20;
