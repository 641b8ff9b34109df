// The script of the Chromium suite's page (bundled with esbuild): it calls a
// wirecall server on another origin with the gRPC-Web client and records
// each outcome in window.__results for the suite to assert.
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { createChannel, createClient, endpointUrl, type Metadata, RpcError } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createConnectTransport } from "wirecall/transports/connect";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

interface PageGlobals {
  __GRPC_URL__: string;
  /** An https URL of the same service on HTTP/2, where Chromium can stream a request body. */
  __GRPC_H2_URL__: string;
  /** An ipv4: target of two more servers, for a channel. */
  __CHANNEL_TARGET__: string;
  __results: Record<string, unknown>;
  __done: boolean;
}
const page = globalThis as unknown as PageGlobals;

type Outcome = { ok: unknown } | { code: number; message: string; details?: string[] };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await run() };
  } catch (e) {
    const err = RpcError.from(e);
    return {
      code: err.code,
      message: err.rawMessage,
      details: err.findDetails(DurationSchema).map((d) => String(d.seconds)),
    };
  }
}

async function main(): Promise<void> {
  const baseUrl = page.__GRPC_URL__;
  const client = createClient(DemoService, createGrpcWebTransport({ baseUrl }));
  const text = createClient(DemoService, createGrpcWebTransport({ baseUrl, format: "text" }));
  const results: Record<string, unknown> = {};
  results.unary = await outcome(async () => {
    let greeter: unknown;
    const res = await client.greet({ name: "Chromium" }, {
      onHeader: (h) => (greeter = h.get("x-greeter")),
    });
    return { greeting: res.greeting, greeter };
  });
  results.serverStream = await outcome(async () => {
    const numbers: number[] = [];
    for await (const m of client.countdown({ from: 3 })) numbers.push(m.number);
    return numbers;
  });
  results.text = await outcome(async () => (await text.greet({ name: "text" })).greeting);
  results.error = await outcome(() => client.greet({ name: "" }));
  results.deadline = await outcome(() => client.greet({ name: "wait" }, { timeoutMs: 300 }));
  results.cancel = await outcome(async () => {
    const controller = new AbortController();
    const numbers: number[] = [];
    for await (const m of client.countdown({ from: 1_000_000 }, { signal: controller.signal })) {
      numbers.push(m.number);
      if (numbers.length === 2) controller.abort();
    }
    return numbers;
  });
  results.clientStream = await outcome(() =>
    client.sum((async function* () {
      yield { value: 1n };
    })())
  );
  const overH2 = createClient(
    DemoService,
    createGrpcWebTransport({ baseUrl: page.__GRPC_H2_URL__, requestStreaming: true }),
  );
  results.clientStreamOverH2 = await outcome(async () => {
    const res = await overH2.sum((async function* () {
      yield { value: 40n };
      yield { value: 2n };
    })());
    return String(res.total);
  });
  // The same server's Connect and REST routes, cross-origin (CORS preflights included).
  const connect = createClient(
    DemoService,
    createConnectTransport({ baseUrl, useHttpGet: true }),
    { format: "json" },
  );
  results.connect = await outcome(async () => {
    let greeter: unknown;
    const res = await connect.greet({ name: "Connect" }, {
      onHeader: (h) => (greeter = h.get("x-greeter")),
    });
    const numbers: number[] = [];
    for await (const m of connect.countdown({ from: 2 })) numbers.push(m.number);
    return { greeting: res.greeting, greeter, numbers };
  });
  results.connectError = await outcome(() => connect.greet({ name: "" }));
  results.rest = await outcome(async () => {
    const res = await fetch(`${baseUrl}/v1/greet/REST`);
    const posted = await fetch(`${baseUrl}/v1/greet`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"name":"posted"}',
    });
    return { status: res.status, get: await res.json(), post: await posted.json() };
  });
  // A channel: round_robin over an ipv4: target, with a retry policy.
  const channel = createChannel({
    target: page.__CHANNEL_TARGET__,
    transport: (ep) => createGrpcWebTransport({ baseUrl: endpointUrl(ep) }),
    serviceConfig: {
      loadBalancingConfig: [{ round_robin: {} }],
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService" }],
        retryPolicy: {
          maxAttempts: 4,
          initialBackoff: "0.05s",
          maxBackoff: "0.2s",
          backoffMultiplier: 2,
          retryableStatusCodes: ["UNAVAILABLE"],
        },
      }],
    },
    random: () => 0,
  });
  const balanced = createClient(DemoService, channel);
  results.channelRoundRobin = await outcome(async () => {
    const out: string[] = [];
    for (let i = 0; i < 4; i++) out.push((await balanced.greet({ name: "rr" })).greeting);
    return out;
  });
  results.channelRetry = await outcome(async () => {
    let trailer: Metadata | undefined;
    await balanced.greet({ name: "flaky:1" }, { onTrailer: (t) => (trailer = t) });
    return { attempts: trailer?.get("grpc-previous-rpc-attempts") };
  });
  results.channelPushback = await outcome(async () => {
    const t0 = performance.now();
    await balanced.greet({ name: "pushback:1" });
    return { waitedForPushback: performance.now() - t0 >= 290 };
  });
  results.channelInvalid = await outcome(() => balanced.greet({ name: "invalid" }));
  await channel.close();
  results.userAgent = navigator.userAgent;
  page.__results = results;
  page.__done = true;
}

main().catch((e) => {
  page.__results = { crashed: String(e?.stack ?? e) };
  page.__done = true;
});
