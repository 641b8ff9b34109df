import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { Code, createChannel, createClient, ManualClock, RpcError } from "wirecall";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { rejection } from "../support/demo-router.ts";
import { fakeBackends } from "./fake-backends.ts";

const two = ["127.0.0.1:50001", "127.0.0.1:50002"];
const healthChecked = {
  loadBalancingConfig: [{ round_robin: {} }],
  healthCheckConfig: { serviceName: "wirecall.demo.v1.DemoService" },
};

/** Waits (up to 5 s of real time) until `ok()` holds. */
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), "the condition never held");
}

async function greetings(client: ReturnType<typeof createClient<typeof DemoService>>, n: number) {
  const out = new Set<string>();
  for (let i = 0; i < n; i++) out.add((await client.greet({ name: "x" })).greeting);
  return [...out].sort();
}

describe("health-checked balancing (gRFC A17)", () => {
  test("an endpoint reporting NOT_SERVING gets no calls until it reports SERVING", async () => {
    const { factory, backends } = fakeBackends(two, { health: true, connectivity: true });
    const [a, b] = two.map((x) => backends.get(x)!);
    a.health.setStatus("wirecall.demo.v1.DemoService", "SERVING");
    b.health.setStatus("wirecall.demo.v1.DemoService", "NOT_SERVING");
    const channel = createChannel({
      target: `ipv4:${two.join(",")}`,
      transport: factory,
      serviceConfig: healthChecked,
    });
    const client = createClient(DemoService, channel);
    assert.deepEqual(await greetings(client, 6), [two[0]]);
    assert.deepEqual(channel.endpointStates().map((e) => e.state), ["ready", "transient_failure"]);
    b.health.setStatus("wirecall.demo.v1.DemoService", "SERVING");
    await until(() => channel.endpointStates()[1].state === "ready");
    assert.deepEqual(await greetings(client, 6), two);
    a.health.setStatus("wirecall.demo.v1.DemoService", "NOT_SERVING");
    await until(() => channel.endpointStates()[0].state === "transient_failure");
    assert.deepEqual(await greetings(client, 6), [two[1]]);
    await channel.close();
  });

  test("with every endpoint unhealthy, calls fail fast with UNAVAILABLE saying why", async () => {
    const { factory, backends } = fakeBackends(two, { health: true });
    for (const b of backends.values()) {
      b.health.setStatus("wirecall.demo.v1.DemoService", "NOT_SERVING");
    }
    const channel = createChannel({
      target: `ipv4:${two.join(",")}`,
      transport: factory,
      serviceConfig: healthChecked,
    });
    channel.getState(true);
    await until(() => channel.getState() === "transient_failure");
    const e = await rejection(createClient(DemoService, channel).greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /reports "wirecall\.demo\.v1\.DemoService" as NOT_SERVING/);
    await channel.close();
  });

  test("a server without the health service (UNIMPLEMENTED) counts as healthy", async () => {
    const { factory } = fakeBackends(two);
    const channel = createChannel({
      target: `ipv4:${two.join(",")}`,
      transport: factory,
      serviceConfig: healthChecked,
    });
    assert.deepEqual(await greetings(createClient(DemoService, channel), 4), two);
    await channel.close();
  });

  test("pick_first does not health-check (gRFC A17)", async () => {
    const { factory, backends } = fakeBackends(two, { health: true });
    backends.get(two[0])!.health.setStatus("", "NOT_SERVING");
    const channel = createChannel({
      target: `ipv4:${two.join(",")}`,
      transport: factory,
      serviceConfig: { healthCheckConfig: { serviceName: "" } },
    });
    assert.deepEqual(await greetings(createClient(DemoService, channel), 3), [two[0]]);
    await channel.close();
  });

  test("a failed health watch is restarted with backoff on the clock", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(two.slice(0, 1), {
      health: true,
      connectivity: true,
    });
    const b = backends.get(two[0])!;
    b.health.setStatus("wirecall.demo.v1.DemoService", "SERVING");
    b.healthWatchError = new RpcError(Code.UNAVAILABLE, "health service starting");
    const channel = createChannel({
      target: `ipv4:${two[0]}`,
      transport: factory,
      serviceConfig: healthChecked,
      clock,
      connectBackoff: { initialMs: 1_000, jitter: 0 },
    });
    channel.getState(true);
    await clock.advance(0);
    assert.equal(channel.endpointStates()[0].state, "transient_failure");
    assert.equal(b.attempts, 1);
    b.healthWatchError = undefined;
    await clock.advance(999);
    assert.equal(b.attempts, 1, "no new watch before the backoff is over");
    await clock.advance(1);
    assert.equal(b.attempts, 2, "the watch was restarted after the backoff");
    assert.equal(channel.endpointStates()[0].state, "ready");
    assert.equal((await createClient(DemoService, channel).greet({ name: "x" })).greeting, two[0]);
    await channel.close();
  });
});
