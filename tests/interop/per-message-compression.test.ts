// Compression chosen per call and per message, checked on the wire: the
// compressed flag of every frame, both directions. The interop service
// honours response_compressed and ResponseParameters.compressed; the client
// sends a message uncompressed when it is marked so, and takes a per-call
// compression option.
import assert from "node:assert/strict";
import * as http2 from "node:http2";
import type * as net from "node:net";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  createClient,
  gzip,
  messageCompression,
  type RpcError,
  withMessageCompression,
} from "wirecall";
import { encodeEnvelope, EnvelopeDecoder } from "wirecall/protocol";
import { createHttp2Transport, type Http2Server } from "wirecall/transports/http2";
import {
  SimpleRequestSchema,
  SimpleResponseSchema,
  StreamingOutputCallRequestSchema,
} from "../../protos/gen/grpc/testing/messages_pb.ts";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";
import { grpcHeaders, rawRequest } from "../http2/raw-http2.ts";
import { after, before, describe, test } from "../support/test.ts";
import { startInteropServer } from "./interop-server.ts";

const frames = (body: Uint8Array) => new EnvelopeDecoder(1 << 24).push(body);
const accept = { "grpc-accept-encoding": "gzip, identity" };

describe("per-message compression, on the wire", () => {
  let server: Http2Server;
  before(async () => {
    server = await startInteropServer();
  });
  after(() => server.close({ graceMs: 0 }));

  test("UnaryCall with response_compressed true answers one gzip-flagged frame", async () => {
    const req = create(SimpleRequestSchema, {
      responseSize: 3141,
      responseCompressed: { value: true },
      fillServerId: true,
    });
    const res = await rawRequest(
      server.url!,
      grpcHeaders("/grpc.testing.TestService/UnaryCall", accept),
      encodeEnvelope(0, toBinary(SimpleRequestSchema, req)),
    );
    assert.equal(res.headers["grpc-encoding"], "gzip");
    const [frame] = frames(res.body);
    assert.equal(frame.flags, 1);
    const msg = fromBinary(SimpleResponseSchema, await gzip.decompress(frame.data, 1 << 20));
    assert.equal(msg.payload?.body.length, 3141);
    assert.match(msg.serverId, /^wirecall-\d+$/);
    assert.notEqual(msg.hostname, "");
  });

  test("UnaryCall with response_compressed false answers an uncompressed frame", async () => {
    const req = create(SimpleRequestSchema, {
      responseSize: 100,
      responseCompressed: { value: false },
    });
    const res = await rawRequest(
      server.url!,
      grpcHeaders("/grpc.testing.TestService/UnaryCall", accept),
      encodeEnvelope(0, toBinary(SimpleRequestSchema, req)),
    );
    assert.deepEqual(frames(res.body).map((f) => f.flags), [0]);
  });

  test("StreamingOutputCall compresses exactly the responses asked for", async () => {
    const req = create(StreamingOutputCallRequestSchema, {
      responseParameters: [
        { size: 31415, compressed: { value: true } },
        { size: 92653, compressed: { value: false } },
        { size: 100, compressed: { value: true } },
      ],
    });
    const res = await rawRequest(
      server.url!,
      grpcHeaders("/grpc.testing.TestService/StreamingOutputCall", accept),
      encodeEnvelope(0, toBinary(StreamingOutputCallRequestSchema, req)),
    );
    assert.equal(res.headers["grpc-encoding"], "gzip");
    assert.deepEqual(frames(res.body).map((f) => f.flags), [1, 0, 1]);
  });

  test("a response message arriving compressed is marked so for the client", async () => {
    const transport = createHttp2Transport({ baseUrl: server.url! });
    try {
      const client = createClient(TestService, transport);
      const yes = await client.unaryCall({ responseSize: 10, responseCompressed: { value: true } });
      const no = await client.unaryCall({ responseSize: 10, responseCompressed: { value: false } });
      assert.equal(messageCompression(yes), true);
      assert.equal(messageCompression(no), undefined);
    } finally {
      await transport.close();
    }
  });

  test("expect_compressed true on an uncompressed message is INVALID_ARGUMENT, in a gzip call too", async () => {
    const transport = createHttp2Transport({ baseUrl: server.url!, sendCompression: "gzip" });
    try {
      const client = createClient(TestService, transport);
      const e = await client.unaryCall(
        withMessageCompression({ expectCompressed: { value: true } }, false),
      ).catch((err: RpcError) => err);
      assert.equal((e as RpcError).code, Code.INVALID_ARGUMENT);
    } finally {
      await transport.close();
    }
  });
});

describe("the client's compression per call and per message, on the wire", () => {
  /** A raw server that records every request's grpc-encoding and frame flags. */
  async function recording(
    run: (url: string, seen: Array<{ encoding?: string; flags: number[] }>) => Promise<void>,
  ) {
    const seen: Array<{ encoding?: string; flags: number[] }> = [];
    const raw = http2.createServer();
    raw.on("stream", (stream, headers) => {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("error", () => {});
      stream.on("end", () => {
        const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
        let o = 0;
        for (const c of chunks) (body.set(c, o), o += c.byteLength);
        seen.push({
          encoding: headers["grpc-encoding"] as string | undefined,
          flags: frames(body).map((f) => f.flags),
        });
        stream.respond(
          { ":status": 200, "content-type": "application/grpc", "grpc-status": "12" },
          { endStream: true },
        );
      });
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
    try {
      await run(`http://127.0.0.1:${(raw.address() as net.AddressInfo).port}`, seen);
    } finally {
      raw.close();
    }
  }

  test("a gzip stream sends the first message compressed and the marked second one not", async () => {
    await recording(async (url, seen) => {
      const transport = createHttp2Transport({ baseUrl: url, sendCompression: "gzip" });
      try {
        const client = createClient(TestService, transport);
        const messages = async function* () {
          yield { payload: { body: new Uint8Array(27182) } };
          yield withMessageCompression({ payload: { body: new Uint8Array(45904) } }, false);
        };
        await client.streamingInputCall(messages()).catch(() => {});
        assert.deepEqual(seen, [{ encoding: "gzip", flags: [1, 0] }]);
      } finally {
        await transport.close();
      }
    });
  });

  test("the call option compression overrides the transport's, both ways", async () => {
    await recording(async (url, seen) => {
      const plain = createHttp2Transport({ baseUrl: url });
      const zipped = createHttp2Transport({ baseUrl: url, sendCompression: "gzip" });
      try {
        await createClient(TestService, plain).unaryCall({ responseSize: 1 }, {
          compression: "gzip",
        })
          .catch(() => {});
        await createClient(TestService, zipped).unaryCall({ responseSize: 1 }, {
          compression: "identity",
        })
          .catch(() => {});
        assert.deepEqual(seen, [{ encoding: "gzip", flags: [1] }, {
          encoding: undefined,
          flags: [0],
        }]);
      } finally {
        await plain.close();
        await zipped.close();
      }
    });
  });
});
