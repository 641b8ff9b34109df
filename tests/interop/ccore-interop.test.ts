// Every gRPC interop case between wirecall and gRPC's reference C core
// (Debian's python3-grpcio, driven by tests/interop/python/c_core_interop.py),
// both ways, in cleartext and over TLS, with the per-message compressed flag
// checked on what arrives: the wirecall server checks expect_compressed on
// each request frame of the C-core client; the wirecall client checks each
// response frame of the C-core server against what it asked for; a recording
// server checks the C-core client's frames one by one.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as http2 from "node:http2";
import type * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { gzip } from "wirecall";
import { encodeEnvelope, EnvelopeDecoder } from "wirecall/protocol";
import { file_grpc_testing_empty } from "../../protos/gen/grpc/testing/empty_pb.ts";
import {
  file_grpc_testing_messages,
  StreamingInputCallRequestSchema,
  StreamingInputCallResponseSchema,
} from "../../protos/gen/grpc/testing/messages_pb.ts";
import { file_grpc_testing_test } from "../../protos/gen/grpc/testing/test_pb.ts";
import { ensurePythonGrpc } from "../support/python-grpc.ts";
import { repoRoot } from "../support/repo-root.ts";
import { allCases, runCases } from "./cases.ts";
import { wirecallStubs } from "./interop-client.ts";
import { exitCode, outputOf, spawnScript, waitForOutput } from "./spawn-script.ts";
import { generateTestCertificates, type TestCertificates } from "./tls-certs.ts";

const script = join(repoRoot, "tests", "interop", "python", "c_core_interop.py");
const T = { timeout: 90_000 };

/** Collects a child's stderr, for the failure message. */
function stderrOf(child: ChildProcess): () => string {
  let text = "";
  child.stderr!.on("data", (c: Uint8Array) => (text += new TextDecoder().decode(c)));
  return () => text;
}

/** `PASS name` / `FAIL name: reason` lines, as name → "PASS" or the FAIL line. */
function resultsOf(out: string): Record<string, string> {
  const results: Record<string, string> = {};
  for (const line of out.split("\n")) {
    const m = /^(PASS|FAIL) ([a-z_]+)/.exec(line);
    if (m !== null) results[m[2]] = m[1] === "PASS" ? "PASS" : line;
  }
  return results;
}

const allPass = Object.fromEntries(allCases.map((c) => [c, "PASS"]));

describe("gRPC interop with C-core (python3-grpcio): 18 cases each way, cleartext and TLS", () => {
  let python = "";
  let dir = "";
  let descriptors = "";
  let certs: TestCertificates;
  /** Every child started, killed at the end even when a test timed out. */
  const children = new Set<ChildProcess>();
  before(() => {
    python = ensurePythonGrpc();
    certs = generateTestCertificates();
    dir = mkdtempSync(join(tmpdir(), "wirecall-c-core-interop-"));
    descriptors = join(dir, "grpc-testing.binpb");
    const set = create(FileDescriptorSetSchema, {
      file: [
        file_grpc_testing_empty.proto,
        file_grpc_testing_messages.proto,
        file_grpc_testing_test.proto,
      ],
    });
    writeFileSync(descriptors, toBinary(FileDescriptorSetSchema, set));
  }, { timeout: 360_000 });
  after(() => {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(certs.dir, { recursive: true, force: true });
  });

  /** Runs the C-core client's cases against 127.0.0.1:port; resolves with its output. */
  async function cCoreClient(port: string, args: string[]): Promise<string> {
    const client = spawn(python, [
      script,
      "client",
      "--descriptors",
      descriptors,
      "--server_port",
      port,
      ...args,
    ], { stdio: ["ignore", "pipe", "pipe"] });
    children.add(client);
    const stderr = stderrOf(client);
    const summary = waitForOutput(client, /^\d+ passed, \d+ failed$/m);
    const code = await exitCode(client);
    await summary.catch((e) => {
      throw new Error(`${e.message}\n${stderr()}`);
    });
    const out = outputOf(client);
    return `${out}exit ${code}\n${code === 0 ? "" : stderr()}`;
  }

  /** Starts the C-core server; resolves with it and its port. */
  async function cCoreServer(args: string[]): Promise<{ child: ChildProcess; port: number }> {
    const child = spawn(python, [script, "server", "--descriptors", descriptors, ...args], {
      stdio: "pipe",
    });
    children.add(child);
    const stderr = stderrOf(child);
    const [, port] = await waitForOutput(child, /listening (\d+)/).catch((e) => {
      child.kill();
      throw new Error(`${e.message}\n${stderr()}`);
    });
    return { child, port: Number(port) };
  }

  for (const secure of [false, true]) {
    const mode = secure ? "TLS" : "cleartext";

    test(`C-core client → wirecall server (${mode}): every case passes`, T, async () => {
      const tls = secure ? ["--use_tls", "--cert", certs.certPath, "--key", certs.keyPath] : [];
      const server = spawnScript(import.meta.url, "server", ["--port", "0", ...tls]);
      children.add(server);
      try {
        const [, port] = await waitForOutput(server, /listening (\d+)/);
        const out = await cCoreClient(
          port,
          secure ? ["--use_tls", "--ca_file", certs.caPath] : [],
        );
        // The wirecall server refuses a request said to be compressed whose
        // frame is not (the probe of client_compressed_*), so these passing
        // means each C-core request frame arrived flagged as it should.
        assert.deepEqual(resultsOf(out), allPass, out);
        assert.match(out, /^18 passed, 0 failed$/m, out);
        assert.match(out, /^exit 0$/m, out);
      } finally {
        server.kill();
      }
    });

    test(`wirecall client → C-core server (${mode}): every case passes`, T, async () => {
      const { child, port } = await cCoreServer(
        secure ? ["--use_tls", "--cert", certs.certPath, "--key", certs.keyPath] : [],
      );
      const stubs = wirecallStubs({
        host: "127.0.0.1",
        port,
        ca: secure ? certs.ca : undefined,
      });
      try {
        const results = await runCases(stubs, allCases, {
          // grpcio's server cannot see whether a request message was
          // compressed, so the probe (refusing an uncompressed message said
          // to be compressed) is not asked of it.
          probeCompression: false,
          // The C-core server compresses per message on request, and each
          // response's compressed flag is checked as it arrived.
          checkResponseCompression: true,
        });
        assert.deepEqual(
          Object.fromEntries(results.map((r) => [r.name, r.ok ? "PASS" : `FAIL ${r.reason}`])),
          allPass,
        );
      } finally {
        await stubs.plain.close();
        await stubs.gzip.close();
        child.stdin!.end();
        child.kill();
      }
    });
  }

  test(
    "wirecall client → C-core server: cancel_after_begin after empty_stream and timeout_on_sleeping_server, on 10 fresh connections",
    T,
    async () => {
      // Node 20's node:http2 left such an aborted stream closed, its
      // RST_STREAM pending, without a "close" event, and the call never
      // settled, until the client destroyed the stream it closed.
      const { child, port } = await cCoreServer([]);
      try {
        const names = ["empty_stream", "timeout_on_sleeping_server", "cancel_after_begin"];
        for (let i = 0; i < 10; i++) {
          const stubs = wirecallStubs({ host: "127.0.0.1", port });
          try {
            const results = await runCases(stubs, names);
            assert.deepEqual(results.filter((r) => !r.ok), [], `connection ${i}`);
          } finally {
            await stubs.plain.close();
            await stubs.gzip.close();
          }
        }
      } finally {
        child.stdin!.end();
        child.kill();
      }
    },
  );

  test(
    "the C-core client's request frames as they arrive: identity, gzip, and gzip with one message left uncompressed",
    T,
    async () => {
      const frames = (body: Uint8Array) => new EnvelopeDecoder(1 << 24).push(body);
      const seen: Array<{ encoding?: string; flags: number[] }> = [];
      // A bare node:http2 server playing StreamingInputCall: it records each
      // request's grpc-encoding and frame flags, and refuses a message said to
      // be compressed that was not, as the interop service does.
      const raw = http2.createServer();
      raw.on("stream", (stream, headers) => {
        const chunks: Uint8Array[] = [];
        stream.on("data", (c: Uint8Array) => chunks.push(c));
        stream.on("error", () => {});
        stream.on("end", async () => {
          const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
          let o = 0;
          for (const c of chunks) (body.set(c, o), o += c.byteLength);
          const got = frames(body);
          seen.push({
            encoding: headers["grpc-encoding"] as string | undefined,
            flags: got.map((f) => f.flags),
          });
          let size = 0;
          let refused = false;
          for (const f of got) {
            const data = f.flags === 1 ? await gzip.decompress(f.data, 1 << 24) : f.data;
            const req = fromBinary(StreamingInputCallRequestSchema, data);
            if (req.expectCompressed?.value === true && f.flags !== 1) refused = true;
            size += req.payload?.body.length ?? 0;
          }
          if (refused) {
            stream.respond({
              ":status": 200,
              "content-type": "application/grpc",
              "grpc-status": "3",
            }, {
              endStream: true,
            });
            return;
          }
          stream.respond({ ":status": 200, "content-type": "application/grpc" }, {
            waitForTrailers: true,
          });
          stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
          stream.end(encodeEnvelope(
            0,
            toBinary(
              StreamingInputCallResponseSchema,
              create(StreamingInputCallResponseSchema, { aggregatedPayloadSize: size }),
            ),
          ));
        });
      });
      await new Promise<void>((r) => raw.listen(0, "127.0.0.1", () => r()));
      try {
        const port = String((raw.address() as net.AddressInfo).port);
        const out = await cCoreClient(port, ["--test_case", "client_compressed_streaming"]);
        assert.match(out, /^PASS client_compressed_streaming$/m, out);
        assert.deepEqual(seen, [
          // The probe: a plain call's one message, uncompressed (refused).
          { encoding: undefined, flags: [0] },
          // A gzip call: the first message compressed, the second sent with
          // C-core's no-compress write flag.
          { encoding: "gzip", flags: [1, 0] },
        ]);
      } finally {
        raw.close();
      }
    },
  );
});
