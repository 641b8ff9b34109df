// Where Bun's node:http2 differs from Node's and wirecall's client or server
// has to do something else under Bun. Chosen at runtime; on Node and Deno
// nothing here runs. Each difference has a reproducer in tests/bun/repro/.
import { Duplex } from "node:stream";
import type * as http2 from "node:http2";
import type * as net from "node:net";

/** Whether this process runs under Bun. */
export const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/**
 * Whether a session's connection window may be grown with
 * `setLocalWindowSize()`. Not under Bun (1.4): after that call, on a client
 * or a server session, Bun stops sending a stream's WINDOW_UPDATEs, so every
 * stream stalls once its initial window (1 MiB by default) has been received
 * (tests/bun/repro/window-client.mjs). There the connection keeps HTTP/2's
 * default 64 KiB window: slower for large messages, but it flows.
 */
export const connectionWindowCanGrow = !isBun;

/**
 * Hands `socket`, whose first bytes `first` were already read to sniff the
 * protocol, to an HTTP/2 server that reads it from the start.
 *
 * Node and Deno: `socket.unshift(first)` puts the bytes back and the socket
 * itself goes to the server. Bun (1.4): its http2 server reads a socket
 * handed to it through `emit("connection")` from the socket's native handle,
 * not through the stream, so unshifted bytes never reach it: it misses the
 * client preface and fails the connection with PROTOCOL_ERROR
 * (tests/bun/repro/handoff-server.mjs). There the server gets a Duplex that
 * yields `first`, then what the socket reads, and writes through to it.
 */
export function socketForHttp2(socket: net.Socket, first: Uint8Array): net.Socket {
  if (!isBun) {
    socket.unshift(first);
    return socket;
  }
  return replayingSocket(socket, first);
}

/** A Duplex over `socket` that reads `first` before the socket's own bytes. */
function replayingSocket(socket: net.Socket, first: Uint8Array): net.Socket {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Uint8Array, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on("data", (chunk: Uint8Array) => {
    if (!duplex.push(chunk)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("close", () => duplex.destroy());
  // What the server and wirecall read off a connection's socket: its
  // addresses, byte counts and socket options.
  const delegated = [
    "remoteAddress",
    "remotePort",
    "remoteFamily",
    "localAddress",
    "localPort",
    "bytesRead",
    "bytesWritten",
  ] as const;
  for (const key of delegated) {
    Object.defineProperty(duplex, key, { get: () => socket[key] });
  }
  const methods = ["setNoDelay", "setKeepAlive", "setTimeout", "ref", "unref"] as const;
  for (const key of methods) {
    Object.defineProperty(duplex, key, {
      value: (...args: unknown[]) => {
        (socket[key] as (...a: unknown[]) => unknown)(...args);
        return duplex;
      },
    });
  }
  return duplex as unknown as net.Socket;
}

/**
 * Resets `stream` with RST_STREAM `code` (`stream.close(code)` on Node and
 * Deno).
 *
 * Bun (1.4): `close(code)` first ends the stream's writable side — an empty
 * DATA frame with END_STREAM, before any HEADERS when none were sent — and
 * sends the RST_STREAM a tick later only if the stream is then still open;
 * when the client had already ended its request, it never goes
 * (tests/bun/repro/rst-server.mjs): a client sees a clean end with no
 * status, or DATA before HEADERS. Setting `rstCode` and destroying the
 * stream with an error makes Bun send just the RST_STREAM with that code.
 */
export function resetStream(stream: http2.Http2Stream, code: number): void {
  if (!isBun) {
    stream.close(code);
    return;
  }
  (stream as { rstCode: number }).rstCode = code;
  stream.destroy(new Error(`stream reset with code ${code}`));
}
