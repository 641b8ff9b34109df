// A raw node:http2 exchange for tests that must see or send exactly what is
// on the wire: headers, frames, trailers, reset codes.
import * as http2 from "node:http2";

/** What came back from a raw request. */
export interface RawResponse {
  headers: http2.IncomingHttpHeaders;
  body: Uint8Array;
  trailers: http2.IncomingHttpHeaders | undefined;
  rstCode: number | undefined;
}

/** Sends one request with `headers` and `body`, and collects the whole answer. */
export function rawRequest(
  url: string,
  headers: http2.OutgoingHttpHeaders,
  body: Uint8Array = new Uint8Array(0),
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const stream = session.request(headers);
    let head: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders | undefined;
    const chunks: Uint8Array[] = [];
    stream.on("response", (h) => (head = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Uint8Array) => chunks.push(c));
    stream.on("error", () => {});
    stream.on("close", () => {
      const size = chunks.reduce((n, c) => n + c.byteLength, 0);
      const out = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.byteLength;
      }
      resolve({ headers: head, body: out, trailers, rstCode: stream.rstCode });
      session.close();
    });
    stream.end(body);
  });
}

/** gRPC request headers for `path`, with overrides. */
export function grpcHeaders(
  path: string,
  overrides: http2.OutgoingHttpHeaders = {},
): http2.OutgoingHttpHeaders {
  return {
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
    ...overrides,
  };
}
