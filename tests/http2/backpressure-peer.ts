// The other side of the backpressure tests, run as a child process so that
// its memory (RSS) is its own:
//
//   backpressure-peer.ts server
//     serves TestService on 127.0.0.1 and prints `listening <port>`; on stdin
//     `baseline` records its RSS, `report` prints `rss <idle> <warm-up peak> <max>`
//     (RSS after the warm-up, its peak during it, its peak since) and exits.
//   backpressure-peer.ts client <baseUrl> <MiB> <warm-up MiB>
//     streams <MiB> MiB of 1 MiB messages (after <warm-up MiB>) to StreamingInputCall, then prints
//     `rss <idle> <warm-up peak> <max>` and `total <bytes>` and exits.
import process from "node:process";
import { createClient } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";
import { interopRouter } from "../interop/wirecall-test-service.ts";

const MIB = 1024 * 1024;
const CHUNK = MIB;

/**
 * Samples RSS every 20 ms. `setBaseline()` closes the warm-up: it keeps the
 * RSS now (idle) and the highest RSS seen during the warm-up (the steady state
 * under the same traffic), then tracks the highest RSS from there on.
 */
function rssSampler() {
  let max = process.memoryUsage().rss;
  let idle = max;
  let warmPeak = max;
  const timer = setInterval(() => {
    max = Math.max(max, process.memoryUsage().rss);
  }, 20);
  return {
    setBaseline() {
      idle = process.memoryUsage().rss;
      warmPeak = Math.max(max, idle);
      max = idle;
    },
    report(): string {
      clearInterval(timer);
      max = Math.max(max, process.memoryUsage().rss);
      return `rss ${idle} ${warmPeak} ${max}`;
    },
  };
}

/** `mib` MiB of 64 KiB messages. */
async function* payloads(mib: number) {
  const body = new Uint8Array(CHUNK);
  for (let i = 0; i < mib * (MIB / CHUNK); i++) yield { payload: { body } };
}

const args = "Deno" in globalThis
  ? (globalThis as unknown as { Deno: { args: string[] } }).Deno.args
  : process.argv.slice(2);

if (args[0] === "server") {
  const server = createHttp2Server(interopRouter());
  await server.listen({ port: 0 });
  const sampler = rssSampler();
  console.log(`listening ${server.port}`);
  let buffered = "";
  process.stdin.on("data", (chunk: Uint8Array) => {
    buffered += new TextDecoder().decode(chunk);
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line === "baseline") {
        sampler.setBaseline();
        console.log("ok");
      } else if (line === "report") {
        // Exit without a graceful close: no GOAWAY goes out (Deno's nghttp2
        // can abort on GOAWAY after a long stream, a Deno bug).
        process.stdout.write(`${sampler.report()}\n`, () => process.exit(0));
      }
    }
  });
} else if (args[0] === "client") {
  const transport = createHttp2Transport({ baseUrl: args[1] });
  const client = createClient(TestService, transport);
  const sampler = rssSampler();
  // Warm-up: code loaded and the heap grown to the traffic before the baseline.
  await client.streamingInputCall(payloads(Number(args[3] ?? 64)));
  sampler.setBaseline();
  const res = await client.streamingInputCall(payloads(Number(args[2])));
  // Exit without closing the connection gracefully: see "report" above.
  process.stdout.write(
    `${sampler.report()}\ntotal ${res.aggregatedPayloadSize}\n`,
    () => process.exit(0),
  );
}
