// A dns: target resolved by the runtime's own resolver (node:dns, found
// through process.getBuiltinModule): `localhost` gives 127.0.0.1 (and ::1
// where the system lists it, where nothing listens: that endpoint is left
// out without a failed call), as a Kubernetes headless service gives one
// address per pod.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createChannel, createClient, createRouter, endpointUrl, runtimeDnsLookup } from "wirecall";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

describe("dns: targets with the runtime's resolver", () => {
  test("the runtime has a DNS lookup, and localhost resolves to a loopback address", async () => {
    const lookup = runtimeDnsLookup();
    assert.ok(lookup !== undefined, "no node:dns in this runtime");
    const addresses = await lookup("localhost", { dnsServer: "" });
    assert.ok(addresses.some((a) => a === "127.0.0.1" || a === "::1"), addresses.join(", "));
  });

  test("dns:///localhost:<port> with round_robin reaches the server on 127.0.0.1", async () => {
    const server = createHttp2Server(
      createRouter().service(DemoService, { greet: () => ({ greeting: "via DNS" }) }),
    );
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const channel = createChannel({
      target: `dns:///localhost:${port}`,
      transport: (ep) => createHttp2Transport({ baseUrl: endpointUrl(ep) }),
      serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] },
    });
    try {
      const client = createClient(DemoService, channel);
      for (let i = 0; i < 4; i++) {
        assert.equal((await client.greet({ name: "x" })).greeting, "via DNS");
      }
      const states = channel.endpointStates();
      assert.ok(
        states.some((e) => e.address === `127.0.0.1:${port}` && e.state === "ready"),
        JSON.stringify(states),
      );
    } finally {
      await channel.close();
      await server.close({ graceMs: 0 });
    }
  });
});
