// Calls every path of server.mjs with Node's node:http2 client and prints,
// per path, the response headers, bytes of DATA, the trailers and how the
// stream ended (rstCode), as Node's client sees them.
//   node tests/bun/repro/client.mjs <port> [path…]
import http2 from "node:http2";

const port = Number(process.argv[2]);
const paths = process.argv.length > 3 ? process.argv.slice(3) : [
  "/wait-for-trailers",
  "/wait-for-trailers-write-end",
  "/metadata",
  "/trailers-only",
  "/no-trailers",
  "/close-cancel",
];
const session = http2.connect(`http://127.0.0.1:${port}`);
session.on("error", (e) => console.log("session error", e.message));
const strip = (h) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== "date"));
for (const path of paths) {
  const result = await new Promise((resolve) => {
    const out = {
      path,
      headers: undefined,
      data: 0,
      trailers: undefined,
      rstCode: undefined,
      error: undefined,
    };
    const req = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
    });
    req.on("response", (h, flags) => {
      out.headers = strip(h);
      out.headersFlags = flags;
    });
    req.on("data", (c) => {
      out.data += c.length;
    });
    req.on("trailers", (h) => {
      out.trailers = strip(h);
    });
    req.on("error", (e) => {
      out.error = e.code ?? e.message;
    });
    req.on("close", () => {
      out.rstCode = req.rstCode;
      resolve(out);
    });
    req.end(new Uint8Array([0, 0, 0, 0, 0]));
  });
  console.log(JSON.stringify(result));
}
session.close();
