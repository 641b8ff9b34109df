// A cleartext port shared by HTTP/2 and HTTP/1.1, as wirecall's server does
// with gRPC-Web on: a net.Server reads the first bytes, puts them back with
// socket.unshift() and hands the socket to an http2 server through
// emit("connection"). The HTTP/2 side answers every stream with headers,
// one message and trailers.
//   bun tests/bun/repro/handoff-server.mjs [unshift|nounshift|direct]
import http2 from "node:http2";
import net from "node:net";
import { Duplex } from "node:stream";

const mode = process.argv[2] ?? "unshift";
const h2 = http2.createServer();
h2.on("stream", (s) => {
  s.on("error", (e) => console.error("stream error", e.code ?? e.message));
  s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "0" }));
  s.resume();
  s.on("end", () => {
    s.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    s.end(new Uint8Array(5));
  });
});
h2.on("sessionError", (e) => console.error("sessionError", e.code ?? e.message));
// A Duplex over the socket that yields the bytes already read first.
function replay(socket, first) {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, enc, cb) {
      socket.write(chunk, enc, cb);
    },
    final(cb) {
      socket.end(cb);
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  d.push(first);
  socket.on("data", (c) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on("end", () => d.push(null));
  socket.on("close", () => d.destroy());
  d.remoteAddress = socket.remoteAddress;
  d.remotePort = socket.remotePort;
  return d;
}
let target = h2;
if (mode !== "direct") {
  target = net.createServer((socket) => {
    socket.once("data", (chunk) => {
      console.error(
        `front read ${chunk.length} bytes, starts ${
          JSON.stringify(String.fromCharCode(...chunk.subarray(0, 3)))
        }`,
      );
      socket.pause();
      if (mode === "unshift") socket.unshift(chunk);
      if (mode === "duplex") h2.emit("connection", replay(socket, chunk));
      else h2.emit("connection", socket);
    });
  });
}
target.listen(0, "127.0.0.1", () => console.log(`listening ${target.address().port}`));
