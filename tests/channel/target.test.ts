import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { Code, type Endpoint, endpointUrl, parseTarget, RpcError } from "wirecall";

function addresses(target: string): string[] {
  const parsed = parseTarget(target);
  assert.equal(parsed.kind, "static", target);
  return parsed.kind === "static" ? parsed.endpoints.map((e) => e.address) : [];
}

describe("gRPC target names", () => {
  test("ipv4: lists addresses with ports, 443 when none", () => {
    assert.deepEqual(addresses("ipv4:127.0.0.1:50051,127.0.0.1:50052,10.0.0.1"), [
      "127.0.0.1:50051",
      "127.0.0.1:50052",
      "10.0.0.1:443",
    ]);
  });

  test("ipv6: takes bracketed addresses with ports and bare ones without", () => {
    assert.deepEqual(addresses("ipv6:[::1]:50051,[fe80::1]"), ["[::1]:50051", "[fe80::1]:443"]);
    assert.deepEqual(addresses("ipv6:::1"), ["[::1]:443"]);
    const [ep] = (parseTarget("ipv6:[::1]:50051") as { endpoints: readonly Endpoint[] }).endpoints;
    assert.equal(endpointUrl(ep), "http://[::1]:50051");
    assert.equal(endpointUrl(ep, "https"), "https://[::1]:50051");
  });

  test("dns: with or without an authority, and a bare host:port, resolve by DNS", () => {
    assert.deepEqual(parseTarget("dns:///api.internal:8443"), {
      kind: "dns",
      host: "api.internal",
      port: 8443,
      dnsServer: "",
    });
    assert.deepEqual(parseTarget("dns://10.0.0.2:53/api.internal"), {
      kind: "dns",
      host: "api.internal",
      port: 443,
      dnsServer: "10.0.0.2:53",
    });
    assert.deepEqual(parseTarget("localhost:50051"), {
      kind: "dns",
      host: "localhost",
      port: 50051,
      dnsServer: "",
    });
    // An address needs no lookup.
    assert.deepEqual(addresses("127.0.0.1:9000"), ["127.0.0.1:9000"]);
  });

  test("unix: takes relative and absolute paths", () => {
    const abs = parseTarget("unix:///run/app.sock");
    assert.equal(abs.kind === "static" && abs.endpoints[0].path, "/run/app.sock");
    const rel = parseTarget("unix:app.sock");
    assert.equal(rel.kind === "static" && rel.endpoints[0].path, "app.sock");
    assert.deepEqual(addresses("unix:/tmp/a.sock"), ["unix:/tmp/a.sock"]);
  });

  test("an http(s) URL is one endpoint that keeps its URL", () => {
    const t = parseTarget("https://api.example.com/prefix/");
    assert.equal(t.kind, "static");
    const ep = t.kind === "static" ? t.endpoints[0] : undefined;
    assert.equal(ep?.port, 443);
    assert.equal(ep && endpointUrl(ep), "https://api.example.com/prefix");
  });

  test("bad targets are INVALID_ARGUMENT saying what is wrong", () => {
    for (
      const [target, why] of [
        ["ipv4:300.0.0.1:1", /not an ipv4 address/],
        ["ipv4:127.0.0.1:99999", /bad port/],
        ["ipv6:[::1", /unclosed/],
        ["dns://only-a-server", /needs a \/host/],
        ["", /empty/],
        ["unix://relative", /absolute path/],
      ] as const
    ) {
      assert.throws(() => parseTarget(target), (e: unknown) => {
        assert.ok(e instanceof RpcError);
        assert.equal(e.code, Code.INVALID_ARGUMENT);
        assert.match(e.rawMessage, why, target);
        return true;
      });
    }
  });
});
