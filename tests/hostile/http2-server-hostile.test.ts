// The hostile-client battery against the native HTTP/2 server: frames no
// well-behaved client sends, written by hand on a raw socket. After every
// case the process is alive and a normal call on a fresh connection works.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { Code, createClient } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { toBinary } from "@bufbuild/protobuf";
import { DemoService, GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter } from "../support/demo-router.ts";
import { grpcHeaders, rawRequest } from "../http2/raw-http2.ts";
import {
  concat,
  frame,
  FrameType,
  grpcRequestHeaders,
  headersFrame,
  PREFACE,
  RawH2Connection,
  settings,
  u32,
} from "./h2-wire.ts";

const GREET = "/wirecall.demo.v1.DemoService/Greet";
const TIMEOUT = { timeout: 30_000 };
const greetFrame = (name: string) =>
  encodeEnvelope(
    0,
    toBinary(GreetRequestSchema, { $typeName: "wirecall.demo.v1.GreetRequest", name }),
  );

interface Served {
  port: number;
  url: string;
  errors: Error[];
}

async function withServer(
  run: (s: Served) => Promise<void>,
  options: Parameters<typeof createHttp2Server>[1] = {},
): Promise<void> {
  const errors: Error[] = [];
  const server = createHttp2Server(demoRouter().router, {
    onError: (e) => errors.push(e),
    ...options,
  });
  const { port } = await server.listen({ port: 0 });
  try {
    await run({ port, url: server.url!, errors });
    await stillServes(server.url!);
  } finally {
    await server.close({ graceMs: 100 });
  }
}

/** A good call on a new connection succeeds: the server survived the case. */
async function stillServes(url: string): Promise<void> {
  const transport = createHttp2Transport({ baseUrl: url });
  try {
    const res = await createClient(DemoService, transport).greet({ name: "Ada" }, {
      timeoutMs: 5_000,
    });
    assert.equal(res.greeting, "Hello, Ada!");
  } finally {
    await transport.close();
  }
}

/** `mib` MiB of zeros, gzipped, made without holding the zeros in memory. */
async function gzipBomb(mib: number): Promise<Uint8Array> {
  const zeros = new Uint8Array(1 << 20);
  let left = mib;
  const source = new ReadableStream<BufferSource>({
    pull(controller) {
      if (left-- === 0) controller.close();
      else controller.enqueue(zeros);
    },
  });
  return new Uint8Array(
    await new Response(source.pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
  );
}

const GOAWAY = {
  PROTOCOL_ERROR: 1,
  INTERNAL_ERROR: 2,
  FLOW_CONTROL_ERROR: 3,
  FRAME_SIZE_ERROR: 6,
} as const;

describe("http2 server under hostile clients", () => {
  test(
    "a valid request followed by WINDOW_UPDATE 0 in the same packet gets a GOAWAY, the server lives",
    TIMEOUT,
    async () => {
      await withServer(async ({ port, errors }) => {
        const c = new RawH2Connection(port);
        await c.connected;
        await c.write(concat(
          PREFACE,
          settings(),
          headersFrame(1, grpcRequestHeaders(GREET)),
          frame(FrameType.DATA, 1, 1, greetFrame("x")),
          frame(FrameType.WINDOW_UPDATE, 0, 0, u32(0)),
        ));
        await c.closed;
        // nghttp2 says PROTOCOL_ERROR; Node 20's binding reports INTERNAL_ERROR.
        const code = c.goawayCode();
        assert.ok(
          code === GOAWAY.PROTOCOL_ERROR || code === GOAWAY.INTERNAL_ERROR,
          `GOAWAY ${code}`,
        );
        assert.deepEqual(errors, []);
      });
    },
  );

  test(
    "a gzip bomb (512 MiB of zeros) is RESOURCE_EXHAUSTED, and peak memory stays bounded",
    TIMEOUT,
    async () => {
      await withServer(async ({ url }) => {
        const packed = await gzipBomb(512);
        const before = process.resourceUsage().maxRSS * 1024;
        const res = await rawRequest(
          url,
          grpcHeaders(GREET, { "grpc-encoding": "gzip" }),
          encodeEnvelope(1, packed),
        );
        const peakGrowth = process.resourceUsage().maxRSS * 1024 - before;
        assert.equal(
          res.trailers?.["grpc-status"] ?? res.headers["grpc-status"],
          String(Code.RESOURCE_EXHAUSTED),
        );
        // The limit is 4 MiB; inflating the bomb whole would add 512 MiB.
        assert.ok(peakGrowth < 128 * 1024 * 1024, `peak RSS grew by ${peakGrowth} bytes`);
      });
    },
  );

  test(
    "streams past SETTINGS_MAX_CONCURRENT_STREAMS are refused, the first ones still answered",
    TIMEOUT,
    async () => {
      await withServer(async ({ port }) => {
        const c = new RawH2Connection(port);
        await c.connected;
        const open: Uint8Array[] = [];
        // 15 client-streaming calls left open (no END_STREAM) against a limit of 10.
        for (let i = 0; i < 15; i++) {
          open.push(
            headersFrame(1 + 2 * i, grpcRequestHeaders("/wirecall.demo.v1.DemoService/Sum")),
          );
        }
        await c.write(concat(PREFACE, settings(), ...open));
        const refused = await c.waitFor((f) =>
          f.type === FrameType.RST_STREAM || f.type === FrameType.GOAWAY
        );
        assert.ok(refused !== undefined, "the server neither refused a stream nor the connection");
        if (refused.type === FrameType.RST_STREAM) {
          assert.ok(refused.streamId > 19, `stream ${refused.streamId} was within the limit`);
          // Ending the first stream still gets its answer.
          await c.write(frame(FrameType.DATA, 1, 1));
          const answer = await c.waitFor((f) => f.type === FrameType.HEADERS && f.streamId === 1);
          assert.ok(answer !== undefined, "stream 1 got no answer");
        }
        c.destroy();
      }, { maxConcurrentStreams: 10 });
    },
  );
});
