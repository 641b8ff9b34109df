// Reads one 4 MiB response with a 1 MiB stream window (initialWindowSize, as
// wirecall's client sets it): flowing, or (`pause`) pausing the stream for
// 5 ms after every chunk, as a reader that lags does. Prints the bytes read
// when the stream ends, or what it had read when it stalled for 3 s.
//   bun tests/bun/repro/window-client.mjs <port> [flowing|pause] [initialWindowSize] [grow]
import http2 from "node:http2";

const [port, mode = "flowing", win = String(1024 * 1024)] = process.argv.slice(2);
const session = http2.connect(`http://127.0.0.1:${Number(port)}`, {
  settings: { initialWindowSize: Number(win) },
});
// `grow`: open the connection window to 16 MiB as wirecall's client does.
if (process.argv[5] === "grow") {
  session.on("connect", () => session.setLocalWindowSize(16 * 1024 * 1024));
}
const req = session.request({ ":method": "GET", ":path": "/" });
let read = 0;
const stall = setTimeout(() => {
  console.log(`${mode}: stalled at ${read} bytes`);
  process.exit(1);
}, 3000);
req.on("data", (c) => {
  read += c.length;
  if (mode === "pause") {
    req.pause();
    setTimeout(() => req.resume(), 5);
  }
});
req.on("end", () => {
  clearTimeout(stall);
  console.log(`${mode}: read ${read} bytes`);
  session.close();
});
req.end();
