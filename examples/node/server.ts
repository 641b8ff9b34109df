/**
 * A DemoService server on native gRPC over TLS.
 *
 * Run alone: `node --conditions=wirecall-source examples/node/server.ts CERT KEY [PORT]`
 * (Node 26; Deno: `deno run -A …`), or let `main.ts` run it with a client.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { createRouter } from "wirecall";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** Starts the TLS server on 127.0.0.1:`port` with the PEM certificate and key. */
export async function startServer(cert: string, key: string, port = 50051): Promise<Http2Server> {
  const router = createRouter().service(DemoService, {
    greet: (req, ctx) => ({ greeting: `Hello, ${req.name}, from ${ctx.peer.address}!` }),
  });
  const server = createHttp2Server(router, { tls: { cert, key } });
  await server.listen({ port, host: "127.0.0.1" });
  return server;
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== undefined) {
  const [cert, key, port] = process.argv.slice(2);
  const server = await startServer(
    readFileSync(cert, "utf8"),
    readFileSync(key, "utf8"),
    Number(port ?? 50051),
  );
  console.log(`listening on ${server.url}`);
}
