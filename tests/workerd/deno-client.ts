// Run by the workerd suite under Deno: calls the worker at the URL given as
// the first argument with the gRPC-Web client on Deno's fetch, and prints
// what came back as JSON.
import { createClient, type RpcError } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

declare const Deno: { args: string[] };

const client = createClient(DemoService, createGrpcWebTransport({ baseUrl: Deno.args[0] }));
const numbers: number[] = [];
for await (const m of client.countdown({ from: 4 })) numbers.push(m.number);
let errorCode = -1;
try {
  await client.greet({ name: "" });
} catch (e) {
  errorCode = (e as RpcError).code;
}
console.log(JSON.stringify({
  unary: (await client.greet({ name: "deno" })).greeting,
  serverStream: numbers,
  errorCode,
}));
