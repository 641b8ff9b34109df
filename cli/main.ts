#!/usr/bin/env node
/**
 * The `wirecall` command: list, describe and call the services of any gRPC
 * server (gRPC, gRPC-Web or Connect), with schemas from server reflection or
 * from local `.proto` files compiled by wirecall's own compiler. Runs under
 * Node 20+ (`npx wirecall`) and Deno (`deno run -A cli/main.ts`).
 *
 * ```sh
 * wirecall list localhost:50051 --plaintext
 * wirecall call localhost:50051 wirecall.demo.v1.DemoService/Greet -d '{"name":"Ada"}' --plaintext
 * ```
 *
 * @module
 */
import process from "node:process";
import { runCli } from "./run.ts";

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  const decoder = new TextDecoder();
  return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
}

const code = await runCli(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  readStdin,
});
process.exitCode = code;
