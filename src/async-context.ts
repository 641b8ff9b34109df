import type { HandlerContext } from "./handler-context.ts";

/** The part of `AsyncLocalStorage` wirecall needs. */
export interface HandlerContextStorage {
  /** Runs `fn` with `context` as the current handler context. */
  run<R>(context: HandlerContext, fn: () => R): R;
  /** The current handler context, if any. */
  getStore(): HandlerContext | undefined;
}

let storage: HandlerContextStorage | null | undefined;

function probe(): HandlerContextStorage | null {
  // The core imports no runtime module: it asks the runtime for its
  // AsyncLocalStorage when there is one (Node, Deno, Bun, workerd with
  // nodejs_compat) and otherwise falls back to explicit propagation.
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    const mod = proc?.getBuiltinModule?.("async_hooks") as
      | { AsyncLocalStorage?: new () => HandlerContextStorage }
      | undefined;
    if (mod?.AsyncLocalStorage) return new mod.AsyncLocalStorage();
  } catch {
    // No async context in this runtime.
  }
  return null;
}

function current(): HandlerContextStorage | null {
  if (storage === undefined) storage = probe();
  return storage;
}

/**
 * Sets the storage that carries the current handler context across `await`s,
 * such as `new AsyncLocalStorage()` where the runtime has no
 * `process.getBuiltinModule`; `null` turns automatic propagation off.
 *
 * @example
 * ```ts
 * import { setHandlerContextStorage } from "wirecall";
 * import { AsyncLocalStorage } from "node:async_hooks";
 * setHandlerContextStorage(new AsyncLocalStorage());
 * ```
 */
export function setHandlerContextStorage(value: HandlerContextStorage | null): void {
  storage = value;
}

/**
 * The context of the handler whose code is running, where the runtime has
 * async context; calls made from a handler inherit its deadline and signal.
 *
 * @example
 * ```ts
 * import { currentHandlerContext } from "wirecall";
 * const ctx = currentHandlerContext(); // undefined outside a handler
 * ```
 */
export function currentHandlerContext(): HandlerContext | undefined {
  return current()?.getStore();
}

/** Runs `fn` with `context` as the current handler context. */
export function runInHandlerContext<R>(context: HandlerContext, fn: () => R): R {
  const s = current();
  return s === null ? fn() : s.run(context, fn);
}
