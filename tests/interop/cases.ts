// The 18 gRPC interop test cases, following the gRPC project's
// interop-test-descriptions, written once against InteropStub.
import assert from "node:assert/strict";
import { withMessageCompression } from "wirecall";
import type { InteropCallOptions, InteropStub, InteropStubs } from "./interop-stub.ts";

const zeros = (n: number) => new Uint8Array(n);
const code = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  UNIMPLEMENTED: 12,
};

/** Every case, in the order of the gRPC descriptions. */
export const allCases = [
  "empty_unary",
  "large_unary",
  "client_streaming",
  "server_streaming",
  "ping_pong",
  "empty_stream",
  "timeout_on_sleeping_server",
  "cancel_after_begin",
  "cancel_after_first_response",
  "custom_metadata",
  "status_code_and_message",
  "special_status_message",
  "unimplemented_method",
  "unimplemented_service",
  "client_compressed_unary",
  "server_compressed_unary",
  "client_compressed_streaming",
  "server_compressed_streaming",
] as const;

/** A case's name. */
export type CaseName = (typeof allCases)[number];

/** The six cases built on FullDuplexCall, a bidi stream that fetch-based clients cannot carry. */
export const bidiCases: readonly CaseName[] = [
  "ping_pong",
  "empty_stream",
  "timeout_on_sleeping_server",
  "cancel_after_first_response",
  "custom_metadata",
  "status_code_and_message",
];

/** The twelve cases a fetch-based client (gRPC-Web, Connect) can carry. */
export const fetchCarriedCases: readonly CaseName[] = allCases.filter((c) =>
  !bidiCases.includes(c)
);

/** Options of a run. */
export interface CaseOptions {
  /**
   * Check that the server refuses an uncompressed message sent with
   * `expect_compressed: true` (the probe of the compression cases). Off for
   * servers that cannot see a request's compression.
   */
  probeCompression?: boolean;
  /**
   * Check that each response of the server compression cases arrived
   * compressed exactly when it was asked to be (the frame's flag, as the
   * stub's `compressedOf` reports it). Off by default: for servers that do not
   * compress per message on request, and stubs that cannot see the flag.
   */
  checkResponseCompression?: boolean;
}

/** Asserts the compressed flag each response arrived with, when the run checks it. */
function assertArrivedCompressed(
  stub: InteropStub,
  o: CaseOptions,
  messages: readonly object[],
  expected: readonly boolean[],
): void {
  if (o.checkResponseCompression !== true) return;
  assert.ok(stub.compressedOf !== undefined, "this client cannot see a message's compressed flag");
  assert.deepEqual(
    messages.map((m) => stub.compressedOf!(m)),
    expected,
    "the compressed flag of each response as it arrived",
  );
}

async function* from<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function expectError(
  stub: InteropStub,
  expected: number,
  run: () => Promise<unknown>,
  message?: string,
): Promise<void> {
  try {
    await run();
  } catch (e) {
    const err = stub.errorOf(e);
    assert.equal(err.code, expected, `expected code ${expected}, got ${err.code}: ${err.message}`);
    if (message !== undefined) assert.equal(err.message, message);
    return;
  }
  assert.fail(`expected the call to fail with code ${expected}, it succeeded`);
}

async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}

/** A request stream whose next message waits until `release()` is called. */
function gatedRequests<T>(items: T[]): { requests: AsyncIterable<T>; release(): void } {
  let open: (() => void) | undefined;
  let pending = 0;
  return {
    release() {
      pending++;
      open?.();
    },
    requests: (async function* () {
      for (let i = 0; i < items.length; i++) {
        if (i > 0) {
          while (pending === 0) await new Promise<void>((r) => (open = r));
          pending--;
        }
        yield items[i];
      }
      while (pending === 0) await new Promise<void>((r) => (open = r));
    })(),
  };
}

const sizes = [31415, 9, 2653, 58979];
const payloads = [27182, 8, 1828, 45904];

async function largeUnary(stub: InteropStub, extra: object = {}, o?: InteropCallOptions) {
  const res = await stub.unaryCall(
    { responseSize: 314159, payload: { body: zeros(271828) }, ...extra },
    o,
  );
  assert.equal(res.payload?.body.length, 314159);
  assert.ok(res.payload!.body.every((b) => b === 0));
  return res;
}

const cases: Record<CaseName, (s: InteropStubs, o: CaseOptions) => Promise<void>> = {
  async empty_unary({ plain }) {
    const res = await plain.emptyCall({});
    assert.equal(res.$typeName, "grpc.testing.Empty");
  },
  async large_unary({ plain }) {
    await largeUnary(plain);
  },
  async client_streaming({ plain }) {
    const res = await plain.streamingInputCall(
      from(...payloads.map((n) => ({ payload: { body: zeros(n) } }))),
    );
    assert.equal(res.aggregatedPayloadSize, 74922);
  },
  async server_streaming({ plain }) {
    const res = await collect(
      plain.streamingOutputCall({ responseParameters: sizes.map((size) => ({ size })) }),
    );
    assert.deepEqual(res.map((r) => r.payload?.body.length), sizes);
  },
  async ping_pong({ plain }) {
    const items = sizes.map((size, i) => ({
      responseParameters: [{ size }],
      payload: { body: zeros(payloads[i]) },
    }));
    const gate = gatedRequests(items);
    const got: number[] = [];
    for await (const r of plain.fullDuplexCall(gate.requests)) {
      got.push(r.payload?.body.length ?? -1);
      gate.release();
    }
    assert.deepEqual(got, sizes);
  },
  async empty_stream({ plain }) {
    assert.deepEqual(await collect(plain.fullDuplexCall(from())), []);
  },
  async timeout_on_sleeping_server({ plain }) {
    const gate = gatedRequests([{ payload: { body: zeros(27182) } }]);
    await expectError(
      plain,
      code.DEADLINE_EXCEEDED,
      () => collect(plain.fullDuplexCall(gate.requests, { timeoutMs: 1 })),
    );
  },
  async cancel_after_begin({ plain }) {
    const controller = new AbortController();
    const never = gatedRequests<{ payload: { body: Uint8Array } }>([]);
    const call = plain.streamingInputCall(never.requests, { signal: controller.signal });
    controller.abort();
    await expectError(plain, code.CANCELLED, () => call);
  },
  async cancel_after_first_response({ plain }) {
    const controller = new AbortController();
    const gate = gatedRequests([{
      responseParameters: [{ size: 31415 }],
      payload: { body: zeros(27182) },
    }, { responseParameters: [{ size: 9 }], payload: { body: zeros(8) } }]);
    await expectError(plain, code.CANCELLED, async () => {
      for await (const r of plain.fullDuplexCall(gate.requests, { signal: controller.signal })) {
        assert.equal(r.payload?.body.length, 31415);
        controller.abort();
      }
    });
  },
  async custom_metadata({ plain }) {
    const metadata = {
      "x-grpc-test-echo-initial": "test_initial_metadata_value",
      "x-grpc-test-echo-trailing-bin": new Uint8Array([0xab, 0xab, 0xab]),
    };
    const check = async (run: (o: InteropCallOptions) => Promise<void>) => {
      let initial: unknown;
      let trailing: unknown;
      await run({
        metadata,
        onHeader: (get) => (initial = get("x-grpc-test-echo-initial")),
        onTrailer: (get) => (trailing = get("x-grpc-test-echo-trailing-bin")),
      });
      assert.equal(initial, "test_initial_metadata_value");
      assert.deepEqual(
        trailing instanceof Uint8Array ? [...trailing] : trailing,
        [0xab, 0xab, 0xab],
      );
    };
    await check(async (o) => {
      await largeUnary(plain, {}, o);
    });
    await check(async (o) => {
      const res = await collect(plain.fullDuplexCall(
        from({ responseParameters: [{ size: 314159 }], payload: { body: zeros(271828) } }),
        o,
      ));
      assert.deepEqual(res.map((r) => r.payload?.body.length), [314159]);
    });
  },
  async status_code_and_message({ plain }) {
    const responseStatus = { code: 2, message: "test status message" };
    await expectError(
      plain,
      code.UNKNOWN,
      () => plain.unaryCall({ responseStatus }),
      responseStatus.message,
    );
    await expectError(
      plain,
      code.UNKNOWN,
      () => collect(plain.fullDuplexCall(from({ responseStatus }))),
      responseStatus.message,
    );
  },
  async special_status_message({ plain }) {
    const message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n";
    await expectError(
      plain,
      code.UNKNOWN,
      () => plain.unaryCall({ responseStatus: { code: 2, message } }),
      message,
    );
  },
  async unimplemented_method({ plain }) {
    await expectError(plain, code.UNIMPLEMENTED, () => plain.unimplementedCall());
  },
  async unimplemented_service({ plain }) {
    await expectError(plain, code.UNIMPLEMENTED, () => plain.unimplementedServiceCall());
  },
  async client_compressed_unary({ plain, gzip }, o) {
    const expect = (value: boolean) => ({ expectCompressed: { value } });
    if (o.probeCompression !== false) {
      await expectError(plain, code.INVALID_ARGUMENT, () => largeUnary(plain, expect(true)));
    }
    await largeUnary(gzip, expect(true));
    await largeUnary(plain, expect(false));
  },
  async server_compressed_unary({ plain }, o) {
    const yes = await largeUnary(plain, { responseCompressed: { value: true } });
    const no = await largeUnary(plain, { responseCompressed: { value: false } });
    assertArrivedCompressed(plain, o, [yes, no], [true, false]);
  },
  async client_compressed_streaming({ plain, gzip }, o) {
    if (o.probeCompression !== false) {
      await expectError(plain, code.INVALID_ARGUMENT, () =>
        plain.streamingInputCall(
          from({ expectCompressed: { value: true }, payload: { body: zeros(27182) } }),
        ));
    }
    // The first message compressed, the second not (a client library that
    // cannot choose per message ignores the mark).
    const res = await gzip.streamingInputCall(from<InputMessage>(
      { expectCompressed: { value: true }, payload: { body: zeros(27182) } },
      withMessageCompression(
        { expectCompressed: { value: false }, payload: { body: zeros(45904) } },
        false,
      ),
    ));
    assert.equal(res.aggregatedPayloadSize, 73086);
  },
  async server_compressed_streaming({ plain }, o) {
    const res = await collect(plain.streamingOutputCall({
      responseParameters: [
        { compressed: { value: true }, size: 31415 },
        { compressed: { value: false }, size: 92653 },
      ],
    }));
    assert.deepEqual(res.map((r) => r.payload?.body.length), [31415, 92653]);
    assertArrivedCompressed(plain, o, res, [true, false]);
  },
};

type InputMessage = { expectCompressed: { value: boolean }; payload: { body: Uint8Array } };

/** The outcome of one case. */
export interface CaseResult {
  name: string;
  ok: boolean;
  reason?: string;
}

/** Runs the named cases one after the other; a failing case does not stop the rest. */
export async function runCases(
  stubs: InteropStubs,
  names: readonly string[] = allCases,
  options: CaseOptions = {},
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const name of names) {
    const run = cases[name as CaseName];
    if (run === undefined) {
      results.push({ name, ok: false, reason: "unknown test case" });
      continue;
    }
    try {
      await run(stubs, options);
      results.push({ name, ok: true });
    } catch (e) {
      results.push({ name, ok: false, reason: (e as Error).message.split("\n")[0] });
    }
  }
  return results;
}
