// The hostile-server battery: servers that break the protocol against
// wirecall's clients (native HTTP/2 and gRPC-Web over fetch). Each case ends
// with the right code in bounded time, and nothing is left behind (the
// transport closes, no timer or socket keeps the process busy).
import assert from "node:assert/strict";
import * as http from "node:http";
import * as http2 from "node:http2";
import type * as net from "node:net";
import process from "node:process";
import { Code, createClient, type RpcError, type Transport } from "wirecall";
import { encodeEnvelope } from "wirecall/protocol";
import { createHttp2Transport } from "wirecall/transports/http2";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { describe, test } from "../support/test.ts";

type Behaviour = (stream: http2.ServerHttp2Stream) => void;

const codeName = (c: Code) => Object.entries(Code).find(([, v]) => v === c)?.[0] ?? String(c);

const OK_HEADERS = { ":status": 200, "content-type": "application/grpc" };
/** GreetResponse { greeting: "hi" }, framed. */
const HI = encodeEnvelope(0, Uint8Array.from([10, 2, 104, 105]));

async function withH2Server(behave: Behaviour, run: (t: Transport) => Promise<void>) {
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => {});
    behave(stream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const transport = createHttp2Transport({
    baseUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    maxReceiveMessageBytes: 1024,
  });
  try {
    await run(transport);
  } finally {
    await transport.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

async function failure(p: Promise<unknown>): Promise<{ error: RpcError; ms: number }> {
  const start = Date.now();
  try {
    await p;
  } catch (e) {
    return { error: e as RpcError, ms: Date.now() - start };
  }
  throw new Error("the call succeeded");
}

/**
 * Asserts a call failed by its deadline within 100 ms — plus however late a
 * plain timer of the same length fired meanwhile (a loaded machine delays
 * every timer; the client's cannot be earlier than the event loop).
 */
function assertWithinDeadline(ms: number, deadlineMs: number, timerLateness: number): void {
  assert.ok(
    ms < deadlineMs + 100 + timerLateness,
    `${ms} ms for a ${deadlineMs} ms deadline (timers ran ${timerLateness} ms late)`,
  );
}

/** How late a timer of `ms` fires now. */
function lateness(ms: number): Promise<number> {
  const start = Date.now();
  return new Promise((r) => setTimeout(() => r(Math.max(0, Date.now() - start - ms)), ms));
}

const cases: Array<[string, Behaviour, Code, number?]> = [
  ["no trailers after the message", (s) => {
    s.respond(OK_HEADERS);
    s.end(HI);
  }, Code.INTERNAL],
  ["a non-numeric grpc-status", (s) => {
    s.respond(OK_HEADERS, { waitForTrailers: true });
    s.on("wantTrailers", () => s.sendTrailers({ "grpc-status": "ok!" }));
    s.end(HI);
  }, Code.UNKNOWN],
  ["a message over the receive limit announced (length 1 GiB)", (s) => {
    s.respond(OK_HEADERS);
    s.write(Uint8Array.from([0, 0x40, 0, 0, 0]));
  }, Code.RESOURCE_EXHAUSTED],
  ["the connection closed right after the headers", (s) => {
    s.respond(OK_HEADERS);
    setTimeout(() => s.session?.destroy(), 10);
  }, Code.UNAVAILABLE],
  ["killed mid-stream after one message", (s) => {
    s.respond(OK_HEADERS);
    s.write(HI);
    setTimeout(() => s.session?.destroy(), 10);
  }, Code.UNAVAILABLE],
  [
    "a stall past the deadline",
    (s) => {
      s.respond(OK_HEADERS);
    },
    Code.DEADLINE_EXCEEDED,
    300,
  ],
  ["HTTP 503 without grpc-status", (s) => {
    s.respond({ ":status": 503 }, { endStream: true });
  }, Code.UNAVAILABLE],
  ["a text/html answer", (s) => {
    s.respond({ ":status": 200, "content-type": "text/html" });
    s.end("<html>");
  }, Code.UNKNOWN],
];

describe("hostile servers against the HTTP/2 client", () => {
  for (const [name, behave, code, timeoutMs] of cases) {
    test(`${name}: ${codeName(code)} in bounded time`, async () => {
      await withH2Server(behave, async (transport) => {
        const late = lateness(timeoutMs ?? 0);
        const { error, ms } = await failure(
          createClient(DemoService, transport).greet({ name: "x" }, {
            timeoutMs: timeoutMs ?? 5_000,
          }),
        );
        assert.equal(error.code, code, `${codeName(error.code)}: ${error.message}`);
        if (timeoutMs !== undefined) {
          assertWithinDeadline(ms, timeoutMs, await late);
        } else assert.ok(ms < 3_000, `${ms} ms`);
      });
    });
  }

  test("after every case the client leaves no handle behind", {
    skip: "Deno" in globalThis ? "Node's handle list" : false,
  }, async () => {
    const handles = () =>
      (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;
    const before = handles();
    for (const [, behave, , timeoutMs] of cases) {
      await withH2Server(behave, async (transport) => {
        await createClient(DemoService, transport).greet({ name: "x" }, {
          timeoutMs: timeoutMs ?? 5_000,
        })
          .catch(() => {});
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(handles() <= before + 1, `${handles()} handles, ${before} before`);
  });
});

describe("hostile servers against the gRPC-Web client", () => {
  const webCases: Array<[string, (res: http.ServerResponse) => void, Code, number?]> = [
    ["no trailers frame", (res) => {
      res.writeHead(200, { "content-type": "application/grpc-web+proto" });
      res.end(Buffer.from(HI));
    }, Code.INTERNAL],
    ["a non-numeric grpc-status", (res) => {
      res.writeHead(200, { "content-type": "application/grpc-web+proto", "grpc-status": "nope" });
      res.end();
    }, Code.UNKNOWN],
    ["a 1 GiB message announced", (res) => {
      res.writeHead(200, { "content-type": "application/grpc-web+proto" });
      res.write(Buffer.from([0, 0x40, 0, 0, 0]));
    }, Code.RESOURCE_EXHAUSTED],
    [
      "a stall past the deadline",
      (res) => {
        res.writeHead(200, { "content-type": "application/grpc-web+proto" });
        res.flushHeaders();
      },
      Code.DEADLINE_EXCEEDED,
      300,
    ],
    ["killed mid-body", (res) => {
      res.writeHead(200, { "content-type": "application/grpc-web+proto" });
      res.write(Buffer.from(HI));
      setTimeout(() => res.socket?.destroy(), 10);
    }, Code.UNAVAILABLE],
  ];
  for (const [name, behave, code, timeoutMs] of webCases) {
    test(`${name}: ${codeName(code)} in bounded time`, async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => behave(res));
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      const transport = createGrpcWebTransport({
        baseUrl: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
        maxReceiveMessageBytes: 1024,
      });
      try {
        const late = lateness(timeoutMs ?? 0);
        const { error, ms } = await failure(
          createClient(DemoService, transport).greet({ name: "x" }, {
            timeoutMs: timeoutMs ?? 5_000,
          }),
        );
        assert.equal(error.code, code, `${codeName(error.code)}: ${error.message}`);
        if (timeoutMs !== undefined) {
          assertWithinDeadline(ms, timeoutMs, await late);
        } else assert.ok(ms < 3_000, `${ms} ms`);
      } finally {
        server.closeAllConnections?.();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
  }
});
