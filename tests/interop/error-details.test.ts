// Rich error details (google.rpc.Status in grpc-status-details-bin) both
// ways between wirecall and the two reference stacks: @grpc/grpc-js with an
// independent protobuf encoder (protobufjs, on googleapis' own .proto files
// from google-proto-files) and gRPC's C core (Debian's python3-grpcio).
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ChildProcess, spawn } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import protobuf from "protobufjs";
import { create, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import {
  Code,
  createClient,
  createRouter,
  packErrorDetails,
  readErrorDetails,
  RpcError,
} from "wirecall";
import {
  createHttp2Server,
  createHttp2Transport,
  type Http2Server,
  type Http2Transport,
} from "wirecall/transports/http2";
import { file_google_rpc_error_details } from "../../src/gen/google/rpc/error_details_pb.ts";
import { file_google_rpc_status } from "../../src/gen/google/rpc/status_pb.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { rejection } from "../support/demo-router.ts";
import { repoRoot } from "../support/repo-root.ts";
import { ensurePythonGrpc } from "../support/python-grpc.ts";
import { waitForOutput } from "./spawn-script.ts";

const T = { timeout: 60_000 };
const GREET = "/wirecall.demo.v1.DemoService/Greet";

/** googleapis' google.rpc protos, loaded by protobufjs: an encoder independent of wirecall's. */
function googleRpc(): protobuf.Root {
  const dir = join(repoRoot, "node_modules", "google-proto-files");
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(dir, target);
  root.loadSync(["google/rpc/status.proto", "google/rpc/error_details.proto"]);
  return root;
}

/** A wirecall server whose Greet fails with one of every standard detail. */
async function richErrorServer(): Promise<Http2Server> {
  const router = createRouter().service(DemoService, {
    greet() {
      throw new RpcError(Code.FAILED_PRECONDITION, "not yet", {
        details: packErrorDetails({
          errorInfo: { reason: "NOT_READY", domain: "wirecall.dev", metadata: { shard: "3" } },
          badRequest: { fieldViolations: [{ field: "name", description: "empty" }] },
          retryInfo: { retryDelay: { seconds: 2n, nanos: 5 } },
          debugInfo: { stackEntries: ["a", "b"], detail: "d" },
          quotaFailure: { violations: [{ subject: "s", description: "q", quotaValue: 5n }] },
          preconditionFailure: { violations: [{ type: "T", subject: "s", description: "p" }] },
          resourceInfo: { resourceType: "t", resourceName: "n", owner: "o", description: "r" },
          requestInfo: { requestId: "id-1", servingData: "x" },
          help: { links: [{ description: "h", url: "https://example.com/h" }] },
          localizedMessage: { locale: "es-ES", message: "todavía no" },
        }),
      });
    },
  });
  const server = createHttp2Server(router);
  await server.listen({ host: "127.0.0.1", port: 0 });
  return server;
}

/** What every reader must find in the wirecall server's details, as JSON-ish values. */
function assertWirecallDetails(byType: Map<string, Record<string, unknown>>): void {
  const get = (name: string) => byType.get(`type.googleapis.com/google.rpc.${name}`);
  assert.equal(byType.size, 10);
  assert.equal(get("ErrorInfo")?.reason, "NOT_READY");
  assert.deepEqual(get("ErrorInfo")?.metadata, { shard: "3" });
  assert.equal((get("BadRequest")?.fieldViolations as Array<{ field: string }>)[0].field, "name");
  // protobufjs gives the Duration's fields; Python's JSON form gives "2.000000005s".
  const delay = get("RetryInfo")?.retryDelay as string | { seconds: unknown; nanos: number };
  assert.equal(
    typeof delay === "string" ? delay : `${delay.seconds}.${String(delay.nanos).padStart(9, "0")}s`,
    "2.000000005s",
  );
  assert.deepEqual(get("DebugInfo")?.stackEntries, ["a", "b"]);
  assert.equal(
    String((get("QuotaFailure")?.violations as Array<{ quotaValue: unknown }>)[0].quotaValue),
    "5",
  );
  assert.equal((get("PreconditionFailure")?.violations as Array<{ type: string }>)[0].type, "T");
  assert.equal(get("ResourceInfo")?.resourceName, "n");
  assert.equal(get("RequestInfo")?.requestId, "id-1");
  assert.equal((get("Help")?.links as Array<{ url: string }>)[0].url, "https://example.com/h");
  assert.equal(get("LocalizedMessage")?.message, "todavía no");
}

describe("error details interoperate with grpc-js and C-core", () => {
  test("a grpc-js server's details, encoded by protobufjs, read back in wirecall", T, async () => {
    const root = googleRpc();
    const Status = root.lookupType("google.rpc.Status");
    const pack = (name: string, value: Record<string, unknown>) => {
      const type = root.lookupType(`google.rpc.${name}`);
      // protobufjs's google.protobuf.Any keeps the proto field name type_url.
      return {
        type_url: `type.googleapis.com/google.rpc.${name}`,
        value: type.encode(type.fromObject(value)).finish(),
      };
    };
    const status = Status.encode(Status.fromObject({
      code: Code.RESOURCE_EXHAUSTED,
      message: "slow down",
      details: [
        pack("QuotaFailure", {
          violations: [{ subject: "user:7", description: "per minute", quotaValue: 60 }],
        }),
        pack("RetryInfo", { retryDelay: { seconds: 30 } }),
        pack("ErrorInfo", { reason: "RATE", domain: "grpc-js", metadata: { k: "v" } }),
        pack("Help", { links: [{ description: "limits", url: "https://example.com/limits" }] }),
        pack("LocalizedMessage", { locale: "en", message: "Slow down" }),
      ],
    })).finish();

    const server = new grpc.Server();
    const raw = (b: Buffer) => b;
    server.addService({
      greet: {
        path: GREET,
        requestStream: false,
        responseStream: false,
        requestSerialize: raw,
        requestDeserialize: raw,
        responseSerialize: raw,
        responseDeserialize: raw,
      },
    }, {
      greet: (_call: unknown, callback: grpc.sendUnaryData<Buffer>) => {
        const metadata = new grpc.Metadata();
        metadata.set("grpc-status-details-bin", Buffer.from(status));
        callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: "slow down", metadata });
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(
        "127.0.0.1:0",
        grpc.ServerCredentials.createInsecure(),
        (e, p) => e ? reject(e) : resolve(p),
      )
    );
    const transport = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const client = createClient(DemoService, transport);
      const error = await rejection(client.greet({ name: "x" }, { timeoutMs: 10_000 }));
      assert.equal(error.code, Code.RESOURCE_EXHAUSTED);
      assert.equal(error.rawMessage, "slow down");
      const d = readErrorDetails(error);
      assert.equal(d.quotaFailure?.violations[0].subject, "user:7");
      assert.equal(d.quotaFailure?.violations[0].quotaValue, 60n);
      assert.equal(d.retryInfo?.retryDelay?.seconds, 30n);
      assert.deepEqual(d.errorInfo?.metadata, { k: "v" });
      assert.equal(d.help?.links[0].url, "https://example.com/limits");
      assert.equal(d.localizedMessage?.message, "Slow down");
      assert.deepEqual(d.other, []);
    } finally {
      await transport.close();
      server.forceShutdown();
    }
  });

  test(
    "a wirecall server's details reach a grpc-js client and decode with protobufjs",
    T,
    async () => {
      const server = await richErrorServer();
      const client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
      try {
        const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
          client.makeUnaryRequest(
            GREET,
            (b: Buffer) => b,
            (b: Buffer) => b,
            Buffer.from([0x0a, 0x01, 0x78]),
            new grpc.Metadata(),
            { deadline: Date.now() + 10_000 },
            (e) => (e ? resolve(e as grpc.ServiceError) : reject(new Error("expected an error"))),
          )
        );
        assert.equal(error.code, grpc.status.FAILED_PRECONDITION);
        assert.equal(error.details, "not yet");
        const [bytes] = error.metadata.get("grpc-status-details-bin") as Buffer[];
        const root = googleRpc();
        const status = root.lookupType("google.rpc.Status").decode(bytes) as unknown as {
          code: number;
          message: string;
          details: Array<{ type_url: string; value: Uint8Array }>;
        };
        assert.equal(status.code, Code.FAILED_PRECONDITION);
        assert.equal(status.message, "not yet");
        const byType = new Map<string, Record<string, unknown>>();
        for (const any of status.details) {
          const url = any.type_url;
          const type = root.lookupType(url.slice(url.lastIndexOf("/") + 1));
          byType.set(url, type.toObject(type.decode(any.value), { longs: String }));
        }
        assertWirecallDetails(byType);
      } finally {
        client.close();
        await server.close({ graceMs: 100 });
      }
    },
  );

  describe("C-core (python3-grpcio)", () => {
    let python = "";
    let dir = "";
    let descriptors = "";
    before(() => {
      python = ensurePythonGrpc();
      dir = mkdtempSync(join(tmpdir(), "wirecall-c-core-"));
      descriptors = join(dir, "google-rpc.binpb");
      const set = create(FileDescriptorSetSchema, {
        file: [file_google_rpc_status.proto, file_google_rpc_error_details.proto],
      });
      writeFileSync(descriptors, toBinary(FileDescriptorSetSchema, set));
    }, { timeout: 360_000 });
    after(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(repoRoot, "tests", "interop", "c-core-error-details.py");

    test("a C-core server's details read back in wirecall", T, async () => {
      const child: ChildProcess = spawn(python, [script, descriptors, "server"], { stdio: "pipe" });
      let stderr = "";
      child.stderr!.on("data", (d) => (stderr += d));
      let transport: Http2Transport | undefined;
      try {
        const [, port] = await waitForOutput(child, /listening (\d+)/).catch((e) => {
          throw new Error(`${e.message}\n${stderr}`);
        });
        const t = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
        transport = t;
        const error = await rejection(
          createClient(DemoService, t).greet({ name: "x" }, { timeoutMs: 10_000 }),
        );
        assert.equal(error.code, Code.INVALID_ARGUMENT);
        assert.equal(error.rawMessage, "bad name from c-core");
        const d = readErrorDetails(error);
        assert.equal(d.errorInfo?.domain, "c-core.example.com");
        assert.deepEqual(d.errorInfo?.metadata, { lang: "python" });
        assert.equal(d.badRequest?.fieldViolations[0].reason, "LEN");
        assert.equal(d.retryInfo?.retryDelay?.seconds, 7n);
        assert.equal(d.retryInfo?.retryDelay?.nanos, 250_000_000);
        assert.deepEqual(d.debugInfo?.stackEntries, ["frame 1", "frame 2"]);
        assert.equal(d.quotaFailure?.violations[0].quotaValue, 9n);
        assert.equal(d.preconditionFailure?.violations[0].description, "accept");
        assert.equal(d.resourceInfo?.resourceType, "book");
        assert.equal(d.requestInfo?.requestId, "py-1");
        assert.equal(d.help?.links[0].url, "https://example.com/py");
        assert.equal(d.localizedMessage?.message, "名前が短すぎます");
        assert.deepEqual(d.other, []);
      } finally {
        await transport?.close();
        child.kill();
      }
    });

    test("a wirecall server's details reach a C-core client whole", T, async () => {
      const server = await richErrorServer();
      try {
        const child = spawn(python, [script, descriptors, "client", String(server.port)], {
          stdio: "pipe",
        });
        let stderr = "";
        child.stderr!.on("data", (d) => (stderr += d));
        const [line] = await waitForOutput(child, /^\{.*\}$/m).catch((e) => {
          throw new Error(`${e.message}\n${stderr}`);
        });
        const out = JSON.parse(line) as {
          code: number;
          message: string;
          statusCode: number;
          statusMessage: string;
          details: Array<{ type: string; value: Record<string, unknown> }>;
        };
        assert.equal(out.code, Code.FAILED_PRECONDITION);
        assert.equal(out.message, "not yet");
        assert.equal(out.statusCode, Code.FAILED_PRECONDITION);
        assert.equal(out.statusMessage, "not yet");
        assertWirecallDetails(new Map(out.details.map((d) => [d.type, d.value])));
      } finally {
        await server.close({ graceMs: 100 });
      }
    });
  });
});
