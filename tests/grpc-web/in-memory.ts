// Helpers for gRPC-Web tests that need no network: the client's fetch calls
// the handler directly with a real Request, as a runtime would.
import type { FetchFunction, GrpcWebHandler } from "wirecall/transports/grpc-web";

/** A fetch that hands every request to `handler`. */
export function fetchThrough(handler: GrpcWebHandler): FetchFunction {
  return (url, init) => handler(new Request(url, init));
}

/** Splits a gRPC-Web binary body into frames: `[flags, body]` pairs. */
export function splitFrames(body: Uint8Array): Array<[number, Uint8Array]> {
  const out: Array<[number, Uint8Array]> = [];
  let offset = 0;
  while (offset < body.byteLength) {
    const view = new DataView(body.buffer, body.byteOffset + offset);
    const length = view.getUint32(1);
    out.push([body[offset], body.subarray(offset + 5, offset + 5 + length)]);
    offset += 5 + length;
  }
  return out;
}
