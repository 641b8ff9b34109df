// A raw node:http2 client for the close-path test: opens one connection to
// 127.0.0.1:<port>, runs unary EmptyCall calls, then ends the connection in the
// way <mode> says. Run by Node (not the runtime under test), so that only
// the server is exercised. Prints one JSON line: { done, failed }.
//
//   node close-path-client.mjs <port> <mode> [calls] [concurrency]
//   mode: goaway (session.close: GOAWAY, then FIN), destroy (FIN, no GOAWAY),
//         rst (every call reset with RST_STREAM(CANCEL) after its headers),
//         reset-socket (the TCP connection reset: RST, no FIN)
import * as http2 from "node:http2";

const [port, mode, calls = "300", concurrency = "1"] = process.argv.slice(2);
const session = http2.connect(`http://127.0.0.1:${port}`);
session.on("error", () => {});
// An empty message, framed.
const body = new Uint8Array(5);
let done = 0;
let failed = 0;
let started = 0;

function call() {
  return new Promise((resolve) => {
    if (session.closed || session.destroyed) return resolve();
    let stream;
    try {
      stream = session.request({
        ":method": "POST",
        ":path": "/grpc.testing.TestService/EmptyCall",
        "content-type": "application/grpc",
        te: "trailers",
      });
    } catch {
      failed++;
      return resolve();
    }
    stream.on("data", () => {});
    stream.on("error", () => {});
    if (mode === "rst") stream.on("response", () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on("close", () => {
      if (stream.rstCode === 0) done++;
      else failed++;
      resolve();
    });
    stream.end(body);
  });
}

async function worker() {
  while (started < Number(calls) && !session.closed && !session.destroyed) {
    started++;
    await call();
  }
}
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ done, failed }));
if (mode === "destroy") session.destroy();
else if (mode === "reset-socket") session.socket?.resetAndDestroy?.() ?? session.destroy();
else session.close();
