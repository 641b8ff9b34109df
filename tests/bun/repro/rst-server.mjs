// Resets every stream at once with the RST_STREAM code its path names
// (/8 → CANCEL), before any response headers, as the client transport's
// tests do with a raw server (`now`, the default), 10 ms later (`later`) or
// right after response headers (`after-respond`).
//   bun tests/bun/repro/rst-server.mjs [now|later|after-respond] [close|destroy]
//   node tests/bun/repro/rst-server.mjs [now|later|after-respond] [close|destroy]
import http2 from "node:http2";

// With `destroy` as the second argument, the stream is reset by setting
// rstCode and destroying it with an error: the workaround wirecall uses
// under Bun (Bun only: on Node rstCode is read-only).
const reset = (stream, code) => {
  if (process.argv[3] !== "destroy") return stream.close(code);
  stream.rstCode = code;
  stream.destroy(new Error(`reset with code ${code}`));
};
const server = http2.createServer();
server.on("stream", (stream, headers) => {
  stream.on("error", () => {});
  const code = Number(headers[":path"].slice(1));
  if (process.argv[2] === "later") setTimeout(() => reset(stream, code), 10);
  else if (process.argv[2] === "after-respond") {
    stream.respond({ ":status": 200 });
    reset(stream, code);
  } else reset(stream, code);
});
server.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
