import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import {
  Code,
  type ConnectivityState,
  createChannel,
  createClient,
  type DnsLookup,
  ManualClock,
} from "wirecall";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { rejection } from "../support/demo-router.ts";
import { fakeBackends } from "./fake-backends.ts";

const three = ["127.0.0.1:50001", "127.0.0.1:50002", "127.0.0.1:50003"];
const target = `ipv4:${three.join(",")}`;
const roundRobin = { loadBalancingConfig: [{ round_robin: {} }] };

async function greetings(client: ReturnType<typeof createClient<typeof DemoService>>, n: number) {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push((await client.greet({ name: "x" })).greeting);
  return out;
}

function count(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of list) out[s] = (out[s] ?? 0) + 1;
  return out;
}

describe("balancing", () => {
  test("round_robin spreads calls evenly over the endpoints of an ipv4: target", async () => {
    const { factory } = fakeBackends(three);
    const channel = createChannel({ target, transport: factory, serviceConfig: roundRobin });
    const client = createClient(DemoService, channel);
    assert.deepEqual(count(await greetings(client, 30)), {
      "127.0.0.1:50001": 10,
      "127.0.0.1:50002": 10,
      "127.0.0.1:50003": 10,
    });
    assert.equal(channel.getState(), "ready");
    await channel.close();
    assert.equal(channel.getState(), "shutdown");
  });

  test("pick_first (the default) sends every call to the first endpoint that connects", async () => {
    const { factory, backends } = fakeBackends(three, { connectivity: true });
    backends.get(three[0])!.down = "refused";
    const channel = createChannel({ target, transport: factory, clock: new ManualClock() });
    const client = createClient(DemoService, channel);
    assert.deepEqual(count(await greetings(client, 5)), { "127.0.0.1:50002": 5 });
    assert.deepEqual(
      channel.endpointStates().map((e) => e.state),
      ["transient_failure", "ready", "idle"],
    );
    await channel.close();
  });

  test("the channel goes idle → connecting → ready, observable with onStateChange", async () => {
    const { factory } = fakeBackends(three, { connectivity: true });
    const channel = createChannel({ target, transport: factory, serviceConfig: roundRobin });
    const seen: ConnectivityState[] = [];
    channel.onStateChange((s) => seen.push(s));
    assert.equal(channel.getState(), "idle");
    assert.equal(channel.getState(true), "connecting");
    await createClient(DemoService, channel).greet({ name: "x" });
    assert.deepEqual(seen, ["connecting", "ready"]);
    assert.deepEqual(channel.endpointStates().map((e) => e.state), ["ready", "ready", "ready"]);
    await channel.close();
  });

  test("a failed endpoint is ejected with backoff, probed after it, and used again once back", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three, { connectivity: true });
    const channel = createChannel({
      target,
      transport: factory,
      serviceConfig: roundRobin,
      clock,
      connectBackoff: { initialMs: 1_000, jitter: 0 },
    });
    const client = createClient(DemoService, channel);
    await greetings(client, 3);
    const b2 = backends.get(three[1])!;
    b2.down = "refused";
    b2.disconnect();
    // Its connection is gone and the reconnect is refused: every call lands on the other two.
    const during = await greetings(client, 12);
    assert.deepEqual(count(during), { "127.0.0.1:50001": 6, "127.0.0.1:50003": 6 });
    assert.equal(channel.endpointStates()[1].state, "transient_failure");
    // The probe after 1 s is refused again: the next backoff is 1.6 s.
    const before = b2.attempts;
    await clock.advance(1_000);
    assert.equal(channel.endpointStates()[1].state, "transient_failure");
    b2.down = undefined;
    await clock.advance(1_600);
    assert.equal(channel.endpointStates()[1].state, "ready");
    assert.equal(b2.attempts, before, "no call was sent to it while it was out");
    const after = await greetings(client, 9);
    assert.equal(count(after)["127.0.0.1:50002"], 3);
    await channel.close();
  });

  test("a connectionless endpoint whose calls are refused is left out, then probed", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three);
    const channel = createChannel({
      target,
      transport: factory,
      serviceConfig: roundRobin,
      clock,
      connectBackoff: { initialMs: 500, jitter: 0 },
    });
    const client = createClient(DemoService, channel);
    const b1 = backends.get(three[0])!;
    b1.down = "refused";
    // The refused attempt is retried transparently on another endpoint: no call fails.
    const during = await greetings(client, 9);
    assert.equal(count(during)["127.0.0.1:50001"], undefined);
    assert.equal(b1.attempts, 1, "one refused attempt, then it is left out");
    b1.down = undefined;
    await clock.advance(500);
    const after = await greetings(client, 9);
    assert.equal(count(after)["127.0.0.1:50001"], 3);
    await channel.close();
  });

  test("with every endpoint down, calls fail fast with UNAVAILABLE naming the cause", async () => {
    const { factory, backends } = fakeBackends(three, { connectivity: true });
    for (const b of backends.values()) b.down = "refused";
    const channel = createChannel({
      target,
      transport: factory,
      serviceConfig: roundRobin,
      clock: new ManualClock(),
    });
    const e = await rejection(createClient(DemoService, channel).greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(
      e.rawMessage,
      /no ready endpoint .*last error: connect to 127\.0\.0\.1:5000\d refused/,
    );
    assert.equal(channel.getState(), "transient_failure");
    await channel.close();
  });

  test("waitForReady calls wait for an endpoint to come back instead of failing", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three.slice(0, 1), { connectivity: true });
    const b = backends.get(three[0])!;
    b.down = "refused";
    const channel = createChannel({
      target: `ipv4:${three[0]}`,
      transport: factory,
      clock,
      connectBackoff: { initialMs: 1_000, jitter: 0 },
      serviceConfig: { methodConfig: [{ name: [{}], waitForReady: true }] },
    });
    const client = createClient(DemoService, channel, { clock });
    const call = client.greet({ name: "x" }, { timeoutMs: 10_000 });
    await clock.advance(0);
    assert.equal(channel.getState(), "transient_failure");
    b.down = undefined;
    await clock.advance(1_000);
    assert.equal((await call).greeting, three[0]);
    await channel.close();
  });

  test("a waitForReady call still ends at its deadline with DEADLINE_EXCEEDED", async () => {
    const clock = new ManualClock();
    const { factory, backends } = fakeBackends(three.slice(0, 1), { connectivity: true });
    backends.get(three[0])!.down = "refused";
    const channel = createChannel({
      target: `ipv4:${three[0]}`,
      transport: factory,
      clock,
      serviceConfig: { methodConfig: [{ name: [{}], waitForReady: true }] },
    });
    const client = createClient(DemoService, channel, { clock });
    const call = rejection(client.greet({ name: "x" }, { timeoutMs: 5_000 }));
    await clock.advance(5_000);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
    await channel.close();
  });

  test("dns: targets re-resolve on a period and pick up new addresses", async () => {
    const clock = new ManualClock();
    let answer = ["127.0.0.1"];
    const lookups: string[] = [];
    const lookup: DnsLookup = (host) => {
      lookups.push(host);
      return Promise.resolve(answer);
    };
    const addresses = ["127.0.0.1:7000", "127.0.0.2:7000"];
    const { factory } = fakeBackends(addresses);
    const channel = createChannel({
      target: "dns:///backends.internal:7000",
      transport: factory,
      dnsLookup: lookup,
      clock,
      serviceConfig: roundRobin,
      dnsRefreshIntervalMs: 60_000,
    });
    const client = createClient(DemoService, channel);
    assert.deepEqual(count(await greetings(client, 4)), { "127.0.0.1:7000": 4 });
    answer = ["127.0.0.1", "127.0.0.2"];
    await clock.advance(60_000);
    assert.deepEqual(count(await greetings(client, 4)), {
      "127.0.0.1:7000": 2,
      "127.0.0.2:7000": 2,
    });
    assert.deepEqual(lookups, ["backends.internal", "backends.internal"]);
    await channel.close();
  });

  test("a failing endpoint asks for re-resolution, at most once per min interval", async () => {
    const clock = new ManualClock();
    let answer = ["127.0.0.1"];
    let lookups = 0;
    const lookup: DnsLookup = () => {
      lookups++;
      return Promise.resolve(answer);
    };
    const { factory, backends } = fakeBackends(["127.0.0.1:7000", "127.0.0.2:7000"], {
      connectivity: true,
    });
    const channel = createChannel({
      target: "dns:///backends.internal:7000",
      transport: factory,
      dnsLookup: lookup,
      clock,
      serviceConfig: roundRobin,
      dnsRefreshIntervalMs: 0,
      dnsMinIntervalMs: 30_000,
    });
    const client = createClient(DemoService, channel);
    await client.greet({ name: "x" });
    assert.equal(lookups, 1);
    // The only server moves to another address: its connection drops.
    answer = ["127.0.0.2"];
    const old = backends.get("127.0.0.1:7000")!;
    old.down = "refused";
    old.disconnect();
    await clock.advance(0);
    assert.equal(lookups, 1, "too soon after the last lookup");
    await clock.advance(30_000);
    assert.equal(lookups, 2);
    assert.equal((await client.greet({ name: "x" })).greeting, "127.0.0.2:7000");
    await channel.close();
  });

  test("a failed DNS lookup fails calls with UNAVAILABLE naming it, then retries with backoff", async () => {
    const clock = new ManualClock();
    let fail = true;
    const lookup: DnsLookup = () =>
      fail
        ? Promise.reject(Object.assign(new Error("queryA ENOTFOUND"), { code: "ENOTFOUND" }))
        : Promise.resolve(["127.0.0.1"]);
    const { factory } = fakeBackends(["127.0.0.1:7000"]);
    const channel = createChannel({
      target: "dns:///nowhere.internal:7000",
      transport: factory,
      dnsLookup: lookup,
      clock,
      random: () => 0.5,
    });
    const client = createClient(DemoService, channel);
    const e = await rejection(client.greet({ name: "x" }));
    assert.equal(e.code, Code.UNAVAILABLE);
    assert.match(e.rawMessage, /DNS resolution of nowhere\.internal failed: ENOTFOUND/);
    fail = false;
    await clock.advance(1_000);
    assert.equal((await client.greet({ name: "x" })).greeting, "127.0.0.1:7000");
    await channel.close();
  });
});
