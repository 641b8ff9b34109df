// Sends one request on a raw TCP connection (preface, SETTINGS, one HEADERS
// frame for POST <path>) and prints every frame the server sends back, so
// what a server puts on the wire is seen without an HTTP/2 client's reading.
//   node tests/bun/repro/frames-client.mjs <port> [path] [open]
import net from "node:net";

const [port, path = "/8", open] = [
  Number(process.argv[2]),
  process.argv[3],
  process.argv[4] === "open",
];
const types = [
  "DATA",
  "HEADERS",
  "PRIORITY",
  "RST_STREAM",
  "SETTINGS",
  "PUSH_PROMISE",
  "PING",
  "GOAWAY",
  "WINDOW_UPDATE",
  "CONTINUATION",
];
const frame = (type, flags, stream, payload) => {
  const b = Buffer.alloc(9 + payload.length);
  b.writeUIntBE(payload.length, 0, 3);
  b[3] = type;
  b[4] = flags;
  b.writeUInt32BE(stream, 5);
  payload.copy(b, 9);
  return b;
};
const lit = (index, value) =>
  Buffer.concat([Buffer.from([index, value.length]), Buffer.from(value)]);
// HPACK: :method POST (static 3), :scheme http (static 6), :path and :authority as literals.
const block = Buffer.concat([Buffer.from([0x83, 0x86]), lit(0x04, path), lit(0x01, "x")]);
const socket = net.connect(port, "127.0.0.1", () => {
  socket.write(Buffer.concat([
    Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    frame(4, 0, 0, Buffer.alloc(0)),
    // END_HEADERS, and END_STREAM unless the request is to stay open.
    frame(1, open ? 0x4 : 0x5, 1, block),
  ]));
});
let buf = Buffer.alloc(0);
socket.on("data", (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  while (buf.length >= 9) {
    const len = buf.readUIntBE(0, 3);
    if (buf.length < 9 + len) break;
    const [type, flags, stream] = [buf[3], buf[4], buf.readUInt32BE(5) & 0x7fffffff];
    const payload = buf.subarray(9, 9 + len);
    let extra = "";
    if (type === 3) extra = ` code ${payload.readUInt32BE(0)}`;
    if (type === 7) extra = ` last ${payload.readUInt32BE(0)} code ${payload.readUInt32BE(4)}`;
    if (type === 4 && (flags & 1) === 0) socket.write(frame(4, 1, 0, Buffer.alloc(0)));
    console.log(
      `${types[type] ?? type} stream ${stream} flags 0x${flags.toString(16)} length ${len}${extra}`,
    );
    buf = buf.subarray(9 + len);
  }
});
setTimeout(() => socket.destroy(), 500);
