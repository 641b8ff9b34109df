/**
 * wirecall on Deno: DemoService served over gRPC-Web by `Deno.serve`, then
 * called once with the gRPC-Web fetch client to show it answering. Browsers
 * on any origin may call it (CORS `allowedOrigins: "*"`).
 *
 * Run: `deno run -A examples/deno/server.ts` (`--port N`, default 8080;
 * `--once` stops after the self-check). With the repo's npm install, `deno`
 * is `node_modules/.bin/deno`.
 *
 * @module
 */
import { createClient, createRouter } from "wirecall";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../demo/demo-service.ts";

declare const Deno: {
  args: string[];
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: (addr: { hostname: string; port: number }) => void;
    },
    handler: (request: Request, info: unknown) => Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

const portFlag = Deno.args.indexOf("--port");
const port = portFlag >= 0 ? Number(Deno.args[portFlag + 1]) : 8080;

const router = createRouter().service(DemoService, demoServiceImpl);
const handler = createGrpcWebHandler(router, {
  cors: { allowedOrigins: "*", exposeHeaders: ["x-greeter"] },
});
const server = Deno.serve({
  port,
  hostname: "127.0.0.1",
  onListen: ({ hostname, port }) =>
    console.log(`gRPC-Web on Deno.serve at http://${hostname}:${port}`),
}, handler);

const baseUrl = `http://127.0.0.1:${server.addr.port}`;
const client = createClient(DemoService, createGrpcWebTransport({ baseUrl }));
const { greeting } = await client.greet({ name: "Deno" });
const numbers: number[] = [];
for await (const { number } of client.countdown({ from: 3 })) numbers.push(number);
async function* values() {
  yield { value: 20n };
  yield { value: 22n };
}
const sum = await client.sum(values());
console.log(
  `self-check: Greet → ${JSON.stringify(greeting)}; Countdown → ${
    numbers.join(", ")
  }; Sum → ${sum.total}`,
);

if (Deno.args.includes("--once")) await server.shutdown();
else console.log("serving; Ctrl-C stops");
