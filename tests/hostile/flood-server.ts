// The server under test of the broken-framing battery
// (tests/hostile/http2-floods.test.ts), in a process of its own: a wirecall
// HTTP/2 server with the demo service on 127.0.0.1, so that a runtime defect
// which aborts the process (Deno's node:http2, docs/deno-http2-crash.md) fails
// one named case instead of taking the whole test run down.
//
//   deno run -A tests/hostile/flood-server.ts
//   node --conditions=wirecall-source tests/hostile/flood-server.ts   (Node 26)
//   node dist/tests/hostile/flood-server.js                           (Node 20)
//
// Prints `listening <port>`. Each line `stats <id>` on stdin is answered with
// `stats <id> {"cpuMs":…,"errors":[…]}`: the process's CPU time so far and
// the messages of what reached the server's `onError`.
import process from "node:process";
import { createHttp2Server } from "wirecall/transports/http2";
import { demoRouter } from "../support/demo-router.ts";

const errors: string[] = [];
const server = createHttp2Server(demoRouter().router, {
  onError: (e, info) => errors.push(`${info?.event ?? "?"}: ${e.message}`),
});
const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
console.log(`listening ${port}`);

let pending = "";
process.stdin.on("data", (chunk: Uint8Array) => {
  pending += new TextDecoder().decode(chunk);
  let nl: number;
  while ((nl = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, nl).trim();
    pending = pending.slice(nl + 1);
    const m = /^stats (\S+)$/.exec(line);
    if (m === null) continue;
    const cpu = process.cpuUsage();
    const stats = { cpuMs: (cpu.user + cpu.system) / 1000, errors };
    console.log(`stats ${m[1]} ${JSON.stringify(stats)}`);
  }
});
// The test closes stdin (or kills the process) when it is done.
process.stdin.on("end", () => {
  server.close({ graceMs: 100 }).then(() => process.exit(0));
});
