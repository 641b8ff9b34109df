/**
 * One service, every client: serves DemoService on one port as native gRPC,
 * gRPC-Web, Connect and REST (from the `google.api.http` annotations in
 * demo.proto), with server reflection for the `wirecall` CLI.
 *
 * Run: `node_modules/.bin/deno run -A examples/every-client/server.ts` (or
 * Node 26: `node --conditions=wirecall-source examples/every-client/server.ts`),
 * then call it with any client, as printed.
 */
import process from "node:process";
import { addReflection, createRouter, type Router } from "wirecall";
import { createConnectHandler } from "wirecall/transports/connect";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { createRestHandler } from "wirecall/transports/rest";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../demo/demo-service.ts";

/** Starts the server on `port` (0: any free port) of 127.0.0.1. */
export async function startEveryClientServer(
  port = 0,
): Promise<{ server: Http2Server; router: Router }> {
  const router = addReflection(createRouter().service(DemoService, demoServiceImpl));
  const web = createGrpcWebHandler(router, {
    cors: { allowedOrigins: "*" },
    protocols: [createConnectHandler(router), createRestHandler(router)],
  });
  const server = createHttp2Server(router, { grpcWeb: createNodeRequestListener(web) });
  await server.listen({ port, host: "127.0.0.1" });
  return { server, router };
}

if (import.meta.url === `file://${process.argv[1]}` || (import.meta as { main?: boolean }).main) {
  const { server } = await startEveryClientServer(Number(process.env.PORT ?? 8080));
  const host = `127.0.0.1:${server.port}`;
  console.log(`DemoService on ${server.url}: gRPC, gRPC-Web, Connect and REST
  curl -H 'content-type: application/json' -d '{"name":"Ada"}' ${server.url}/wirecall.demo.v1.DemoService/Greet
  curl ${server.url}/v1/greet/Ada
  curl ${server.url}/v1/countdown/3
  npx wirecall call ${host} wirecall.demo.v1.DemoService/Greet -d '{"name":"Ada"}' --plaintext`);
}
