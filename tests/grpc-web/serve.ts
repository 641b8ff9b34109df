// Starts a gRPC-Web handler on 127.0.0.1 with the runtime's own HTTP server:
// Deno.serve under Deno, node:http (through the Node adapter) under Node.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { GrpcWebHandler } from "wirecall/transports/grpc-web";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";

/** A running server: its base URL, which server it is, and how to stop it. */
export interface RunningServer {
  url: string;
  kind: "Deno.serve" | "node:http";
  close(): Promise<void>;
}

interface DenoServe {
  serve(
    options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void },
    handler: GrpcWebHandler,
  ): { finished: Promise<void>; shutdown(): Promise<void>; addr: { port: number } };
}

/** Serves `handler` on an ephemeral port of 127.0.0.1. */
export async function serve(handler: GrpcWebHandler): Promise<RunningServer> {
  const deno = (globalThis as { Deno?: DenoServe }).Deno;
  if (deno !== undefined) {
    const server = deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, handler);
    return {
      url: `http://127.0.0.1:${server.addr.port}`,
      kind: "Deno.serve",
      close: () => server.shutdown(),
    };
  }
  return await serveNode(handler);
}

/** Serves `handler` with node:http through the Node adapter, on any runtime with node:http. */
export async function serveNode(handler: GrpcWebHandler): Promise<RunningServer> {
  const server = createServer(createNodeRequestListener(handler));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    kind: "node:http",
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
