/**
 * The wirecall demo: serves DemoService and calls each of its four methods
 * over every transport wirecall has, printing what each call returned.
 *
 * Run: `npm run demo` (Node) or `deno task demo` (Deno).
 */
import { createClient, createRouter, type Transport } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createNodeFetch, createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createServer } from "node:http";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "./demo-service.ts";

async function* numbers(...values: bigint[]) {
  for (const value of values) yield { value };
}

async function* lines(...texts: string[]) {
  for (const text of texts) yield { from: "demo", text };
}

/** Calls each DemoService method through `transport` and prints the results. */
export async function callEveryKind(name: string, transport: Transport): Promise<void> {
  const client = createClient(DemoService, transport);
  console.log(`— ${name}`);
  let header = "";
  const greet = await client.greet({ name: "Ada" }, {
    onHeader: (h) => (header = String(h.get("x-greeter"))),
  });
  console.log(
    `  unary         Greet      → ${JSON.stringify(greet.greeting)} (x-greeter: ${header})`,
  );
  const counted: number[] = [];
  for await (const r of client.countdown({ from: 3 })) counted.push(r.number);
  console.log(`  server-stream Countdown  → ${counted.join(", ")}`);
  const sum = await client.sum(numbers(1n, 2n, 3n, 4n));
  console.log(`  client-stream Sum        → total ${sum.total} of ${sum.count} numbers`);
  try {
    const echoes: string[] = [];
    for await (const m of client.chat(lines("ping", "pong"))) echoes.push(m.text);
    console.log(`  bidi          Chat       → ${echoes.map((e) => JSON.stringify(e)).join(", ")}`);
  } catch (e) {
    // gRPC-Web cannot carry bidi streaming; its transport says so.
    console.log(`  bidi          Chat       → ${(e as Error).message}`);
  }
  try {
    await client.greet({ name: "" });
  } catch (e) {
    console.log(`  error         Greet("")  → ${(e as Error).message}`);
  }
}

const router = createRouter().service(DemoService, demoServiceImpl);
await callEveryKind("loopback (in-process)", createLoopbackTransport(router));

// Native gRPC over HTTP/2 on 127.0.0.1: a real server on a free port.
const http2Server = createHttp2Server(router);
await http2Server.listen({ port: 0, host: "127.0.0.1" });
const http2Transport = createHttp2Transport({ baseUrl: http2Server.url! });
try {
  await callEveryKind("native gRPC over HTTP/2", http2Transport);
} finally {
  await http2Transport.close();
  await http2Server.close({ graceMs: 1000 });
}

// gRPC-Web: the fetch handler (the one Deno.serve, Bun.serve and workerd take)
// on a local node:http server, called with the fetch client on undici.
const webServer = createServer(createNodeRequestListener(createGrpcWebHandler(router)));
await new Promise<void>((resolve) => webServer.listen(0, "127.0.0.1", resolve));
const webFetch = createNodeFetch();
try {
  const { port } = webServer.address() as { port: number };
  await callEveryKind(
    "gRPC-Web (fetch client → fetch handler on node:http)",
    createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${port}`, fetch: webFetch }),
  );
} finally {
  await webFetch.close();
  webServer.closeAllConnections();
  await new Promise<void>((resolve) => webServer.close(() => resolve()));
}
