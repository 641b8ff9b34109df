// The test API every test file uses: node:test's describe, test, before and
// after, with a timeout on every test and hook. Deno, Node and Bun run the
// same files; without a timeout a test that hangs holds the whole run until
// the suite's own limit and names nothing, while here it fails on its own,
// by name ("<name> timed out after N ms"), and the run goes on.
//
// Deno and Node enforce a test's `timeout` option themselves. Hooks get a
// timer of ours, because Deno ignores the option on hooks.
import * as nodeTest from "node:test";
import process from "node:process";

/**
 * The default limit of one test or hook, in ms: 60 s, or
 * `WIRECALL_TEST_TIMEOUT_MS`. Generous on purpose — the machine running the
 * suite may be loaded — yet far below the suite's limit.
 */
export const TEST_TIMEOUT_MS: number = Number(process.env.WIRECALL_TEST_TIMEOUT_MS) || 60_000;

/** Options of one test (the subset of node:test's options this suite uses). */
export interface TestOptions {
  /** Overrides {@link TEST_TIMEOUT_MS} for this test, in ms. */
  timeout?: number;
  /** Skips the test (with a reason when a string). */
  skip?: boolean | string;
}

type Body = () => unknown;
type TestFn = (t: nodeTest.TestContext) => unknown;

function withTimeout(options: TestOptions | undefined): TestOptions {
  return { ...options, timeout: options?.timeout ?? TEST_TIMEOUT_MS };
}

/** Declares a test; it fails by name once it runs longer than its timeout. */
export function test(name: string, fn: TestFn): void;
/** Declares a test with options; `options.timeout` overrides the default. */
export function test(name: string, options: TestOptions, fn: TestFn): void;
export function test(name: string, a: TestOptions | TestFn, b?: TestFn): void {
  const [options, fn] = typeof a === "function" ? [undefined, a] : [a, b!];
  void nodeTest.test(name, withTimeout(options), fn as nodeTest.TestFn);
}

/** Declares a group of tests. */
export function describe(name: string, fn: () => void): void;
/**
 * Declares a group of tests with options. A group's `timeout` bounds the
 * whole group; each test in it still has its own.
 */
export function describe(name: string, options: TestOptions, fn: () => void): void;
export function describe(name: string, a: TestOptions | (() => void), b?: () => void): void {
  if (typeof a === "function") void nodeTest.describe(name, a);
  else void nodeTest.describe(name, a, b!);
}

/** Runs `fn` before the tests of the enclosing group; fails once it runs longer than its timeout. */
export function before(fn: Body, options?: { timeout?: number }): void {
  nodeTest.before(timed("before hook", fn, options?.timeout));
}

/** Runs `fn` after the tests of the enclosing group; fails once it runs longer than its timeout. */
export function after(fn: Body, options?: { timeout?: number }): void {
  nodeTest.after(timed("after hook", fn, options?.timeout));
}

function timed(what: string, fn: Body, ms = TEST_TIMEOUT_MS): () => Promise<void> {
  const where = new Error().stack?.split("\n")[3]?.trim() ?? "";
  return () =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${what} timed out after ${ms} ms ${where}`)),
        ms,
      );
      Promise.resolve().then(fn).then(() => {
        clearTimeout(timer);
        resolve();
      }, (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
}
