// A DemoService router for tests, with hooks so each test can observe the
// handler side of a call.
import {
  Code,
  createRouter,
  type HandlerContext,
  type Router,
  type RouterOptions,
  RpcError,
} from "wirecall";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** What the demo handlers saw, for assertions. */
export interface Observed {
  contexts: HandlerContext[];
  aborts: unknown[];
}

/** Builds a router serving DemoService; `greet` behaviour can be swapped per test. */
export function demoRouter(
  options: RouterOptions & {
    greet?: (name: string, ctx: HandlerContext) => unknown;
  } = {},
): { router: Router; observed: Observed } {
  const observed: Observed = { contexts: [], aborts: [] };
  const { greet, ...routerOptions } = options;
  const watch = (ctx: HandlerContext) => {
    observed.contexts.push(ctx);
    ctx.signal.addEventListener("abort", () => observed.aborts.push(ctx.signal.reason));
  };
  const router = createRouter(routerOptions).service(DemoService, {
    async greet(req, ctx) {
      watch(ctx);
      if (greet) return (await greet(req.name, ctx)) as { greeting: string };
      return { greeting: `Hello, ${req.name}!` };
    },
    async *countdown(req, ctx) {
      watch(ctx);
      if (req.from < 0) throw new RpcError(Code.OUT_OF_RANGE, "from must be positive");
      for (let n = req.from; n > 0; n--) yield { number: n };
    },
    async sum(reqs, ctx) {
      watch(ctx);
      let total = 0n;
      let count = 0;
      for await (const r of reqs) {
        total += r.value;
        count++;
      }
      return { total, count };
    },
    async *chat(reqs, ctx) {
      watch(ctx);
      for await (const m of reqs) yield { from: "server", text: `echo: ${m.text}` };
    },
  });
  return { router, observed };
}

/** Yields the given values as an async iterable. */
export async function* from<T>(...values: T[]): AsyncGenerator<T> {
  for (const v of values) yield v;
}

/** Collects an async iterable. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of source) out.push(v);
  return out;
}

/** Awaits a promise that must reject with an RpcError, and returns it. */
export async function rejection(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw new Error(`expected an RpcError, got ${e}`);
  }
  throw new Error("expected the promise to reject");
}
