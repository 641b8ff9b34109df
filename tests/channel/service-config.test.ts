import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { Code, parseServiceConfig, RpcError } from "wirecall";

const greet = { serviceName: "wirecall.demo.v1.DemoService", methodName: "Greet" };
const sum = { serviceName: "wirecall.demo.v1.DemoService", methodName: "Sum" };
const other = { serviceName: "other.Service", methodName: "Call" };

function invalid(input: unknown): string {
  try {
    parseServiceConfig(input as never);
  } catch (e) {
    assert.ok(e instanceof RpcError);
    assert.equal(e.code, Code.INVALID_ARGUMENT);
    return e.rawMessage;
  }
  assert.fail("expected the service config to be refused");
}

describe("service config (gRPC's JSON form)", () => {
  test("reads the retry policy example of gRFC A6, durations in ms and codes by name", () => {
    const config = parseServiceConfig(JSON.stringify({
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService" }],
        retryPolicy: {
          maxAttempts: 4,
          initialBackoff: ".1s",
          maxBackoff: "1s",
          backoffMultiplier: 2,
          retryableStatusCodes: ["UNAVAILABLE", "resource_exhausted", 10],
        },
      }],
    }));
    const policy = config.methodConfig(greet)?.retryPolicy;
    assert.equal(policy?.maxAttempts, 4);
    assert.equal(policy?.initialBackoffMs, 100);
    assert.equal(policy?.maxBackoffMs, 1000);
    assert.deepEqual(
      [...policy!.retryableStatusCodes],
      [Code.UNAVAILABLE, Code.RESOURCE_EXHAUSTED, Code.ABORTED],
    );
  });

  test("a method name beats its service, which beats the default", () => {
    const config = parseServiceConfig({
      methodConfig: [
        { name: [{}], timeout: "3s" },
        { name: [{ service: "wirecall.demo.v1.DemoService" }], timeout: "2s" },
        { name: [{ service: "wirecall.demo.v1.DemoService", method: "Greet" }], timeout: "1.5s" },
      ],
    });
    assert.equal(config.methodConfig(greet)?.timeoutMs, 1500);
    assert.equal(config.methodConfig(sum)?.timeoutMs, 2000);
    assert.equal(config.methodConfig(other)?.timeoutMs, 3000);
  });

  test("maxAttempts above 5 counts as 5, as in gRPC; the limit is an option", () => {
    const json = {
      methodConfig: [{
        name: [{}],
        hedgingPolicy: {
          maxAttempts: 9,
          hedgingDelay: "0.05s",
          nonFatalStatusCodes: ["UNAVAILABLE"],
        },
      }],
    };
    assert.equal(parseServiceConfig(json).methodConfig(greet)?.hedgingPolicy?.maxAttempts, 5);
    assert.equal(
      parseServiceConfig(json, { maxAttemptsLimit: 8 }).methodConfig(greet)?.hedgingPolicy
        ?.maxAttempts,
      8,
    );
    assert.equal(parseServiceConfig(json).methodConfig(greet)?.hedgingPolicy?.hedgingDelayMs, 50);
  });

  test("sizes, waitForReady, throttling and health checking are read", () => {
    const config = parseServiceConfig({
      methodConfig: [{
        name: [{ service: "wirecall.demo.v1.DemoService" }],
        waitForReady: true,
        maxRequestMessageBytes: 1024,
        maxResponseMessageBytes: "2048",
      }],
      retryThrottling: { maxTokens: 10, tokenRatio: 0.12345 },
      healthCheckConfig: { serviceName: "wirecall.demo.v1.DemoService" },
    });
    const m = config.methodConfig(greet)!;
    assert.equal(m.waitForReady, true);
    assert.equal(m.maxRequestMessageBytes, 1024);
    assert.equal(m.maxResponseMessageBytes, 2048);
    assert.deepEqual(config.retryThrottling, { maxTokens: 10, tokenRatio: 0.123 });
    assert.equal(config.healthCheckServiceName, "wirecall.demo.v1.DemoService");
  });

  test("loadBalancingConfig takes the first policy wirecall knows; pick_first is the default", () => {
    assert.deepEqual(parseServiceConfig({}).loadBalancing, {
      policy: "pick_first",
      shuffleAddressList: false,
    });
    const rr = parseServiceConfig({
      loadBalancingConfig: [{ "xds_cluster_impl_experimental": {} }, { round_robin: {} }],
    });
    assert.deepEqual(rr.loadBalancing, { policy: "round_robin" });
    assert.deepEqual(
      parseServiceConfig({ loadBalancingConfig: [{ pick_first: { shuffleAddressList: true } }] })
        .loadBalancing,
      { policy: "pick_first", shuffleAddressList: true },
    );
    assert.deepEqual(parseServiceConfig({ loadBalancingPolicy: "ROUND_ROBIN" }).loadBalancing, {
      policy: "round_robin",
    });
  });

  test("unknown fields are ignored, as every gRPC does", () => {
    const config = parseServiceConfig({
      methodConfig: [{ name: [{}], timeout: "1s", somethingNew: 1 }],
      futureField: { x: 1 },
    } as never);
    assert.equal(config.methodConfig(greet)?.timeoutMs, 1000);
  });

  test("bad configs are INVALID_ARGUMENT naming the field", () => {
    assert.match(invalid("{not json"), /not JSON/);
    assert.match(
      invalid({ methodConfig: [{ name: [{}], retryPolicy: { maxAttempts: 1 } }] }),
      /"methodConfig\.0\.retryPolicy\.maxAttempts": expected at least 2 attempts/,
    );
    assert.match(
      invalid({
        methodConfig: [{
          name: [{}],
          retryPolicy: {
            maxAttempts: 2,
            initialBackoff: "100ms",
            maxBackoff: "1s",
            backoffMultiplier: 2,
            retryableStatusCodes: ["UNAVAILABLE"],
          },
        }],
      }),
      /"methodConfig\.0\.retryPolicy\.initialBackoff": expected a protobuf JSON duration/,
    );
    assert.match(
      invalid({
        methodConfig: [{
          name: [{}],
          retryPolicy: {
            maxAttempts: 2,
            initialBackoff: "0s",
            maxBackoff: "1s",
            backoffMultiplier: 2,
            retryableStatusCodes: ["UNAVAILABLE"],
          },
        }],
      }),
      /initialBackoff": expected a duration above zero/,
    );
    assert.match(
      invalid({
        methodConfig: [{
          name: [{}],
          retryPolicy: {
            maxAttempts: 2,
            initialBackoff: "1s",
            maxBackoff: "1s",
            backoffMultiplier: 2,
            retryableStatusCodes: ["NOT_A_CODE"],
          },
        }],
      }),
      /retryableStatusCodes\.0": expected a status code name/,
    );
    assert.match(
      invalid({
        methodConfig: [{
          name: [{}],
          retryPolicy: {
            maxAttempts: 2,
            initialBackoff: "1s",
            maxBackoff: "1s",
            backoffMultiplier: 2,
            retryableStatusCodes: ["UNAVAILABLE"],
          },
          hedgingPolicy: { maxAttempts: 2 },
        }],
      }),
      /retryPolicy or hedgingPolicy, not both/,
    );
    assert.match(
      invalid({ methodConfig: [{ name: [{ method: "Greet" }] }] }),
      /a name with a method needs a service/,
    );
    assert.match(
      invalid({
        methodConfig: [
          { name: [{ service: "a.B", method: "C" }] },
          { name: [{ service: "a.B", method: "C" }] },
        ],
      }),
      /method a\.B\/C named twice/,
    );
    assert.match(
      invalid({ loadBalancingConfig: [{ grpclb: {} }] }),
      /no supported policy in "loadBalancingConfig" \(grpclb\)/,
    );
    assert.match(
      invalid({ retryThrottling: { maxTokens: 0, tokenRatio: 0.1 } }),
      /"retryThrottling\.maxTokens": expected a number above zero/,
    );
  });
});
