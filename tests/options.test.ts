import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { Code, createClient, createRouter, RpcError } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import * as z from "zod/mini";
import { byteLimitOption, parseOptions } from "wirecall/protocol";
import { grpcWebTransportOptionsSchema } from "../transports/grpc-web/client-options.ts";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";

function badOption(pattern: RegExp) {
  return (e: unknown) =>
    e instanceof RpcError && e.code === Code.INVALID_ARGUMENT && pattern.test(e.message);
}

describe("options are validated", () => {
  const transport = createLoopbackTransport(createRouter());

  test("a client option of the wrong type names itself and what it expected", () => {
    assert.throws(
      () => createClient(DemoService, transport, { timeoutMs: "5s" as unknown as number }),
      badOption(/invalid client option "timeoutMs": expected number, got string/),
    );
  });

  test("an unknown option is named, catching typos", () => {
    assert.throws(
      () => createClient(DemoService, transport, { timeout: 5 } as never),
      badOption(/unknown option\(s\) "timeout"/),
    );
  });

  test("an enum option lists the accepted values", () => {
    assert.throws(
      () => createClient(DemoService, transport, { format: "xml" as "json" }),
      badOption(/invalid client option "format": expected one of "proto", "json"/),
    );
  });

  test("router, loopback and per-call options are checked too", async () => {
    assert.throws(
      () => createRouter({ maxSendMessageBytes: -1 }),
      badOption(/invalid router option "maxSendMessageBytes"/),
    );
    assert.throws(
      () => createRouter({ clock: {} as never }),
      badOption(/"clock": expected a Clock/),
    );
    assert.throws(
      () => createLoopbackTransport(createRouter(), { faults: { latencyMs: -5 } }),
      badOption(/invalid loopback option "faults/),
    );
    const client = createClient(DemoService, transport);
    await assert.rejects(
      client.greet({}, { timeoutMs: -1 }),
      badOption(/invalid call option "timeoutMs"/),
    );
  });

  test("call options: the per-call cheap check lets valid ones through and the schema words the rest", async () => {
    const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: r.name }) });
    const client = createClient(DemoService, createLoopbackTransport(router));
    const headers: unknown[] = [];
    const res = await client.greet({ name: "ok" }, {
      signal: new AbortController().signal,
      timeoutMs: 5_000,
      deadline: new Date(Date.now() + 10_000),
      metadata: { "x-a": "1" },
      onHeader: (h) => headers.push(h),
      onTrailer: () => {},
      compression: "identity",
      parent: null,
    });
    // An explicit undefined is as good as absent; an unknown key is not, even undefined.
    assert.equal((await client.greet({ name: "u" }, { timeoutMs: undefined })).greeting, "u");
    await assert.rejects(
      client.greet({}, { tiemoutMs: undefined } as never),
      badOption(/invalid call options?/),
    );
    assert.equal(res.greeting, "ok");
    assert.equal(headers.length, 1);
    await assert.rejects(
      client.greet({}, { timeoutMs: Number.NaN }),
      badOption(/invalid call option "timeoutMs"/),
    );
    await assert.rejects(
      client.greet({}, { deadline: new Date(Number.NaN) }),
      badOption(/invalid call option "deadline"/),
    );
    await assert.rejects(
      client.greet({}, { compression: "br" as "gzip" }),
      badOption(/invalid call option "compression"/),
    );
    await assert.rejects(
      client.greet({}, { tiemoutMs: 5 } as never),
      badOption(/invalid call options?/),
    );
  });

  test("a call's deadline is a finite number or a valid Date, and its parent an object or null", async () => {
    // One zod check each (no union, date or nullable schema): what they
    // accept and what they say are those of z.union([z.number(), z.date()])
    // and z.nullable(z.custom(...)).
    const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: r.name }) });
    const client = createClient(DemoService, createLoopbackTransport(router));
    const deadline = new Date(Date.now() + 10_000);
    assert.equal((await client.greet({ name: "d" }, { deadline })).greeting, "d");
    for (const deadline of [Number.NaN, Infinity, new Date(Number.NaN), "soon", null, {}]) {
      await assert.rejects(
        client.greet({}, { deadline } as never),
        badOption(/invalid call option "deadline": Invalid input$/),
        String(deadline),
      );
    }
    assert.equal((await client.greet({ name: "p" }, { parent: null })).greeting, "p");
    for (const parent of ["ctx", 1, () => {}]) {
      await assert.rejects(
        client.greet({}, { parent } as never),
        badOption(/invalid call option "parent": expected a HandlerContext$/),
      );
    }
  });

  test("byte limits and the gRPC-Web baseUrl word their errors as z.int() and z.url() do", () => {
    // Both are plain zod checks now (browser bundles leave zod's number and
    // string formats out); what they accept, return and say must not move.
    const parse = (schema: z.ZodMiniType, value: unknown): string => {
      try {
        return JSON.stringify(parseOptions("t", z.strictObject({ v: schema }), { v: value }));
      } catch (e) {
        return (e as Error).message;
      }
    };
    const zodInt = z.number().check(
      z.int({ message: "expected a whole number of bytes" }),
      z.positive({ message: "expected a positive number of bytes" }),
    );
    for (
      const v of [
        1,
        4194304,
        1.5,
        -1.5,
        0,
        -1,
        2 ** 53 - 1,
        2 ** 53,
        -(2 ** 60),
        NaN,
        Infinity,
        "x",
        null,
      ]
    ) {
      assert.equal(parse(byteLimitOption, v), parse(zodInt, v), String(v));
    }
    const zodUrl = z.string().check(z.url({ message: "expected an absolute http(s) URL" }));
    const baseUrl = grpcWebTransportOptionsSchema.shape.baseUrl;
    for (
      const v of [
        "http://a",
        " https://x.y/p \n",
        "https://exa\nmple.com",
        "ftp://q",
        "nope",
        "",
        "/rel",
        5,
        "\thttp://a\t",
      ]
    ) {
      assert.equal(parse(baseUrl, v), parse(zodUrl, v), JSON.stringify(v));
    }
  });
});
