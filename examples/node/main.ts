/**
 * Native gRPC over TLS with wirecall, end to end: makes throwaway
 * certificates, starts the server, calls it with the client, shuts down.
 *
 *   deno run -A examples/node/main.ts
 *   .tools/node26/node_modules/node/bin/node --conditions=wirecall-source examples/node/main.ts
 *   npm run build && node dist/examples/node/main.js          (Node 20)
 */
import { rmSync } from "node:fs";
import { greetOverTls } from "./client.ts";
import { makeCerts } from "./make-certs.ts";
import { startServer } from "./server.ts";

const certs = makeCerts();
const server = await startServer(certs.cert, certs.key, 0);
try {
  console.log(`server: ${server.url}`);
  console.log(`client: ${await greetOverTls(server.url!, certs.ca, "Ada")}`);
} finally {
  await server.close({ graceMs: 1000 });
  rmSync(certs.dir, { recursive: true, force: true });
}
