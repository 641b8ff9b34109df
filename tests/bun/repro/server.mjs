// A plain node:http2 server, no wirecall: each path answers one way a gRPC
// server answers (trailers after DATA through waitForTrailers, custom and
// -bin metadata, trailers-only with endStream, no trailers, close(CANCEL)).
// Run it under Bun and under Node and point client.mjs at it: Node's client
// sees the same frames from both (Bun 1.4.5), see README.md.
//   bun tests/bun/repro/server.mjs   |   node tests/bun/repro/server.mjs
import http2 from "node:http2";

const frame = () => new Uint8Array([0, 0, 0, 0, 0]); // one empty gRPC message
const ok = { ":status": 200, "content-type": "application/grpc" };
const cases = {
  // Headers, a message, then trailers through waitForTrailers/sendTrailers.
  "/wait-for-trailers": (s) => {
    s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0" }));
    s.respond(ok, { waitForTrailers: true });
    s.end(frame());
  },
  // Same, but the message written before end() with no data on end().
  "/wait-for-trailers-write-end": (s) => {
    s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0" }));
    s.respond(ok, { waitForTrailers: true });
    s.write(frame());
    s.end();
  },
  // Headers with custom metadata, then trailers.
  "/metadata": (s) => {
    s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0", "x-trailer-bin": "AAE" }));
    s.respond({ ...ok, "x-header": "v" }, { waitForTrailers: true });
    s.end(frame());
  },
  // Trailers-only: status in the one HEADERS frame, which ends the stream.
  "/trailers-only": (s) => {
    s.respond({ ...ok, "grpc-status": "12", "grpc-message": "nope" }, { endStream: true });
  },
  // Headers and a message, the stream ended with no trailers.
  "/no-trailers": (s) => {
    s.respond(ok);
    s.end(frame());
  },
  // Headers and a message, then the stream reset with CANCEL.
  "/close-cancel": (s) => {
    s.respond(ok);
    s.write(frame());
    setTimeout(() => s.close(http2.constants.NGHTTP2_CANCEL), 20);
  },
};
const server = http2.createServer();
server.on("stream", (stream, headers) => {
  stream.on("error", (e) => console.error("stream error", headers[":path"], e.code ?? e.message));
  stream.on("close", () => console.error("closed", headers[":path"], "rstCode", stream.rstCode));
  stream.resume();
  stream.on(
    "end",
    () =>
      (cases[headers[":path"]] ?? ((s) => s.respond({ ":status": 404 }, { endStream: true })))(
        stream,
      ),
  );
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
