/**
 * A DemoService client on native gRPC over TLS, trusting one CA.
 *
 * Run alone: `node --conditions=wirecall-source examples/node/client.ts CA URL`
 * (Node 26; Deno: `deno run -A …`), or let `main.ts` run it with a server.
 */
import { readFileSync } from "node:fs";
import process from "node:process";
import { createClient } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** Calls Greet on `baseUrl` (https://…) and returns the greeting. */
export async function greetOverTls(baseUrl: string, ca: string, name: string): Promise<string> {
  const transport = createHttp2Transport({ baseUrl, tls: { ca, serverName: "localhost" } });
  try {
    const { greeting } = await createClient(DemoService, transport).greet({ name });
    return greeting;
  } finally {
    await transport.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}` && process.argv[2] !== undefined) {
  const [ca, url] = process.argv.slice(2);
  console.log(await greetOverTls(url, readFileSync(ca, "utf8"), "Ada"));
}
