// Opens one stream per RST_STREAM code against rst-server.mjs and prints the
// rstCode the node:http2 client reports when the stream closes.
//   bun tests/bun/repro/rst-client.mjs <port>   |   node tests/bun/repro/rst-client.mjs <port>
import http2 from "node:http2";

const session = http2.connect(`http://127.0.0.1:${Number(process.argv[2])}`);
session.on("error", (e) => console.log("session error", e.message));
for (const code of [2, 7, 8, 11, 12]) {
  const seen = await new Promise((resolve) => {
    const req = session.request({ ":method": "POST", ":path": `/${code}` });
    req.on("error", () => {});
    req.on("response", () => {});
    req.resume();
    req.on("close", () => resolve(req.rstCode));
    req.end();
  });
  console.log(`sent ${code}, client saw rstCode ${seen}`);
}
session.close();
