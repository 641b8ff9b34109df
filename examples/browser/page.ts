/// <reference lib="dom" />
/**
 * The example page's script (bundled by `server.ts` with esbuild): calls
 * DemoService on the page's own server with the gRPC-Web fetch client.
 *
 * @module
 */
import { createClient, RpcError } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

const client = createClient(DemoService, createGrpcWebTransport({ baseUrl: location.origin }));
const log = document.getElementById("log")!;
const print = (line: string) => (log.textContent += line + "\n");

async function greet(name: string): Promise<void> {
  try {
    const { greeting } = await client.greet({ name }, { timeoutMs: 5_000 });
    print(`Greet → ${greeting}`);
  } catch (e) {
    print(`Greet → ${e instanceof RpcError ? e.message : e}`);
  }
}

document.getElementById("greet")!.addEventListener("submit", (event) => {
  event.preventDefault();
  greet(new FormData(event.target as HTMLFormElement).get("name") as string);
});

await greet("browser");
const numbers: number[] = [];
for await (const { number } of client.countdown({ from: 5 })) numbers.push(number);
print(`Countdown → ${numbers.join(", ")}`);
await greet(""); // an error: INVALID_ARGUMENT
document.body.dataset.ready = "true";
