import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import {
  type ClientInterceptor,
  Code,
  createClient,
  createRouter,
  RpcError,
  type ServerInterceptor,
} from "wirecall";
import type { Message } from "@bufbuild/protobuf";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "./support/demo-router.ts";

async function* upperCase(source: AsyncIterable<Message>): AsyncGenerator<Message> {
  for await (const m of source) {
    const copy = { ...m } as Record<string, unknown>;
    for (const k of ["text", "greeting", "name"]) {
      if (typeof copy[k] === "string") copy[k] = (copy[k] as string).toUpperCase();
    }
    yield copy as unknown as Message;
  }
}

describe("interceptors", () => {
  test("client interceptors run outermost first, server interceptors too, for every call kind", async () => {
    const log: string[] = [];
    const client = (name: string): ClientInterceptor => (next) => async (req) => {
      log.push(`client ${name} > ${req.method.kind}`);
      const res = await next(req);
      log.push(`client ${name} <`);
      return res;
    };
    const server = (name: string): ServerInterceptor => (next) => async (req) => {
      log.push(`server ${name} > ${req.method.kind}`);
      const res = await next(req);
      log.push(`server ${name} <`);
      return res;
    };
    const { router } = demoRouter({ interceptors: [server("A"), server("B")] });
    const c = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [client("1"), client("2")],
    });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["unary", () => c.greet({})],
      ["server_streaming", () => collect(c.countdown({ from: 1 }))],
      ["client_streaming", () => c.sum(from({ value: 1n }))],
      ["bidi_streaming", () => collect(c.chat(from({ text: "x" })))],
    ];
    for (const [kind, call] of calls) {
      log.length = 0;
      await call();
      assert.deepEqual(log, [
        `client 1 > ${kind}`,
        `client 2 > ${kind}`,
        `server A > ${kind}`,
        `server B > ${kind}`,
        "server B <",
        "server A <",
        "client 2 <",
        "client 1 <",
      ]);
    }
  });

  test("a client interceptor can set request metadata and read response headers", async () => {
    const auth: ClientInterceptor = (next) => async (req) => {
      req.metadata.set("authorization", "Bearer t0k3n");
      const res = await next(req);
      res.header.set("x-seen-by-interceptor", "yes");
      return res;
    };
    const { router } = demoRouter({
      greet: (_n, ctx) => ({ greeting: String(ctx.metadata.get("authorization")) }),
    });
    let header = "";
    const c = createClient(DemoService, createLoopbackTransport(router), { interceptors: [auth] });
    const res = await c.greet({}, {
      onHeader: (h) => (header = String(h.get("x-seen-by-interceptor"))),
    });
    assert.equal(res.greeting, "Bearer t0k3n");
    assert.equal(header, "yes");
  });

  test("a server interceptor can refuse a call and set response headers and trailers", async () => {
    const guard: ServerInterceptor = (next) => async (req) => {
      req.context.responseHeader.set("x-guard", "checked");
      req.context.responseTrailer.set("x-guard-trailer", "done");
      if (!req.context.metadata.has("authorization")) {
        throw new RpcError(Code.UNAUTHENTICATED, "log in first");
      }
      return await next(req);
    };
    const { router, observed } = demoRouter({ interceptors: [guard] });
    const c = createClient(DemoService, createLoopbackTransport(router));
    const e = await rejection(c.greet({}));
    assert.equal(e.code, Code.UNAUTHENTICATED);
    assert.equal(e.metadata.get("x-guard"), "checked", "trailers-only errors carry the headers");
    assert.equal(observed.contexts.length, 0);
    let trailer = "";
    await c.greet({}, {
      metadata: { authorization: "x" },
      onTrailer: (t) => (trailer = String(t.get("x-guard-trailer"))),
    });
    assert.equal(trailer, "done");
  });

  test("interceptors can change messages of every call kind, one at a time or as streams", async () => {
    const clientUpper: ClientInterceptor = (next) => async (req) => {
      const out = req.stream
        ? await next({ ...req, messages: upperCase(req.messages) })
        : await next({ ...req, message: (await collect(upperCase(from(req.message))))[0] });
      return out;
    };
    const serverSuffix: ServerInterceptor = (next) => async (req) => {
      const res = await next(req);
      if (res.stream) {
        return {
          stream: true,
          messages: (async function* () {
            for await (const m of res.messages) {
              yield { ...m, text: `${(m as { text?: string }).text}!` } as Message;
            }
          })(),
        };
      }
      return {
        stream: false,
        message: {
          ...res.message,
          greeting: `${(res.message as unknown as { greeting: string }).greeting}!`,
        } as Message,
      };
    };
    const router = createRouter({ interceptors: [serverSuffix] }).service(DemoService, {
      greet: (r) => ({ greeting: r.name }),
      async *chat(reqs) {
        for await (const m of reqs) yield { text: m.text };
      },
    });
    const c = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [clientUpper],
    });
    assert.equal((await c.greet({ name: "ada" })).greeting, "ADA!");
    assert.deepEqual(
      (await collect(c.chat(from({ text: "a" }, { text: "b" })))).map((m) => m.text),
      ["A!", "B!"],
    );
  });

  test("interceptors can map errors on both sides", async () => {
    const serverMap: ServerInterceptor = (next) => async (req) => {
      try {
        return await next(req);
      } catch (e) {
        throw new RpcError(Code.NOT_FOUND, `mapped: ${(e as Error).message}`);
      }
    };
    const clientMap: ClientInterceptor = (next) => async (req) => {
      try {
        return await next(req);
      } catch (e) {
        const err = e as RpcError;
        throw new RpcError(Code.ABORTED, `client saw ${err.code}: ${err.rawMessage}`);
      }
    };
    const { router } = demoRouter({
      interceptors: [serverMap],
      greet: () => {
        throw new Error("db down");
      },
    });
    const c = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [clientMap],
    });
    const e = await rejection(c.greet({}));
    assert.equal(e.code, Code.ABORTED);
    assert.equal(e.rawMessage, "client saw 5: mapped: db down");
  });
});
