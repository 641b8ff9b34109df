// Starts the wirecall interop server in-process: TestService over native
// gRPC on 127.0.0.1, with gRPC-Web, Connect and REST (for services with
// google.api.http annotations) handed off on the same port.
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createConnectHandler } from "wirecall/transports/connect";
import { createRestHandler } from "wirecall/transports/rest";
import { interopRouter } from "./wirecall-test-service.ts";

/** Options of {@link startInteropServer}. */
export interface InteropServerOptions {
  port?: number;
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
}

/** Starts the interop server; resolves once it listens. */
export async function startInteropServer(options: InteropServerOptions = {}): Promise<Http2Server> {
  const router = interopRouter();
  const server = createHttp2Server(router, {
    tls: options.tls,
    grpcWeb: createNodeRequestListener(
      createGrpcWebHandler(router, {
        protocols: [createConnectHandler(router), createRestHandler(router)],
      }),
    ),
  });
  await server.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  return server;
}
