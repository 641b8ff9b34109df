// Sends 4 MiB of DATA on every stream, then ends it: run under Node, read by
// window-client.mjs under Bun or Node.
//   node tests/bun/repro/window-server.mjs
import http2 from "node:http2";

const server = http2.createServer();
server.on("stream", (stream) => {
  stream.on("error", () => {});
  stream.respond({ ":status": 200 });
  const chunk = new Uint8Array(64 * 1024);
  let left = 64;
  const write = () => {
    while (left > 0) {
      left--;
      if (!stream.write(chunk)) return stream.once("drain", write);
    }
    stream.end();
  };
  write();
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
