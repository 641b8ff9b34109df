// The server side of the soak: the demo service on wirecall's HTTP/2 server
// on 127.0.0.1, printing `listening <port>` and then, every 250 ms, one JSON
// line of its own resource use: { t, rss, heapUsed, handles, calls }.
import process from "node:process";
import { createRouter } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

// The demo service without the test router's observation (which keeps every
// call's context for assertions, and would read as a leak here).
let calls = 0;
const router = createRouter().service(DemoService, {
  greet: (req) => {
    calls++;
    return { greeting: `Hello, ${req.name}!` };
  },
  async *chat(reqs) {
    for await (const m of reqs) yield { from: "server", text: `echo: ${m.text}` };
  },
});
const server = createHttp2Server(router, { maxConcurrentStreams: 2000 });
const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
console.log(`listening ${port}`);
const started = Date.now();
const handles = () =>
  (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.().length ??
    -1;
// With --expose-gc, a full collection before each sample: what is measured
// is what is still reachable, not garbage V8 has not collected yet.
const gc = (globalThis as { gc?: () => void }).gc;
const sample = () => {
  gc?.();
  const m = process.memoryUsage();
  console.log(
    JSON.stringify({
      t: Date.now() - started,
      rss: m.rss,
      heapUsed: m.heapUsed,
      handles: handles(),
      calls,
    }),
  );
};
sample();
setInterval(sample, 250);
const stop = () => server.close({ graceMs: 1_000 }).then(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
