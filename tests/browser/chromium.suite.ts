// Run by scripts/test-runtimes.mjs under Node: Debian's Chromium, driven by
// playwright-core, opens a page (its script bundled with esbuild) that calls
// a wirecall gRPC-Web server on another origin; each call is checked in the
// page and its outcome asserted here.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Code, Metadata, RpcError } from "wirecall";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { createConnectHandler } from "wirecall/transports/connect";
import { createRestHandler } from "wirecall/transports/rest";
import { createNodeRequestListener } from "wirecall/transports/grpc-web/node";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { generateTestCertificates } from "../interop/tls-certs.ts";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { demoRouter } from "../support/demo-router.ts";
import { bundle } from "../grpc-web/bundle.ts";
import { type RunningServer, serveNode } from "../grpc-web/serve.ts";

/** Where the suite finds Chromium; CI installs Debian's package there. */
export const chromiumPath = "/usr/bin/chromium";

type Outcome = { ok?: unknown; code?: number; message?: string; details?: string[] };

describe("gRPC-Web in Chromium", () => {
  const userDataDir = mkdtempSync(join(tmpdir(), "wirecall-chromium-"));
  const { router, observed } = demoRouter({
    greet: (name, ctx) => {
      if (name === "") {
        throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
          details: [{ desc: DurationSchema, value: { seconds: 5n } }],
        });
      }
      if (name === "wait") {
        return new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason))
        );
      }
      ctx.responseHeader.set("x-greeter", "wirecall");
      return { greeting: `Hello, ${name}!` };
    },
  });
  let pageServer: Server;
  let grpcServer: RunningServer;
  // Two more servers behind one ipv4: target, for the channel in the page.
  let channelServers: RunningServer[] = [];
  const flaky = new Map<string, number>();
  const channelRouter = (name: string) =>
    demoRouter({
      greet: (who) => {
        const seen = (flaky.get(who) ?? 0) + 1;
        flaky.set(who, seen);
        if (who.startsWith("flaky:") && seen <= 2) {
          throw new RpcError(Code.UNAVAILABLE, "try again");
        }
        if (who.startsWith("pushback:") && seen === 1) {
          throw new RpcError(Code.UNAVAILABLE, "later", {
            metadata: new Metadata({ "grpc-retry-pushback-ms": "300" }),
          });
        }
        if (who === "invalid") throw new RpcError(Code.INVALID_ARGUMENT, "no");
        return { greeting: name };
      },
    }).router;
  let h2Server: Http2Server;
  let results: Record<string, Outcome> = {};
  const consoleLines: string[] = [];

  before(async () => {
    const script = await bundle("tests/browser/page.ts", {
      platform: "browser",
      conditions: ["browser"],
    });
    pageServer = createServer((req, res) => {
      if (req.url === "/page.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(script.code);
        return;
      }
      const grpcUrl = JSON.stringify(grpcServer.url);
      const h2Url = JSON.stringify(h2Server.url);
      const target = JSON.stringify(
        `ipv4:${channelServers.map((c) => new URL(c.url).host).join(",")}`,
      );
      res.writeHead(200, { "content-type": "text/html" }).end(
        `<!doctype html><title>wirecall</title><script>window.__GRPC_URL__ = ${grpcUrl}; window.__GRPC_H2_URL__ = ${h2Url}; window.__CHANNEL_TARGET__ = ${target};</script>` +
          `<script type="module" src="/page.js"></script>`,
      );
    });
    await new Promise<void>((resolve) => pageServer.listen(0, "127.0.0.1", resolve));
    // The page is served from "localhost", the calls go to "127.0.0.1": another origin, so CORS applies.
    const pageOrigin = `http://localhost:${(pageServer.address() as AddressInfo).port}`;
    const cors = { allowedOrigins: [pageOrigin], exposeHeaders: ["x-greeter"] };
    grpcServer = await serveNode(
      createGrpcWebHandler(router, {
        cors,
        protocols: [createConnectHandler(router), createRestHandler(router)],
      }),
    );
    channelServers = [
      await serveNode(createGrpcWebHandler(channelRouter("a"), { cors })),
      await serveNode(createGrpcWebHandler(channelRouter("b"), { cors })),
    ];
    // The same service on the HTTP/2 server's TLS port (its gRPC-Web hand-off):
    // Chromium streams request bodies over HTTP/2 only.
    const certs = generateTestCertificates();
    h2Server = createHttp2Server(router, {
      tls: { cert: certs.cert, key: certs.key },
      grpcWeb: createNodeRequestListener(createGrpcWebHandler(router, { cors })),
    });
    await h2Server.listen({ host: "127.0.0.1", port: 0 });

    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // The HTTP/2 server's certificate comes from a throwaway test CA.
        "--ignore-certificate-errors",
      ],
    });
    try {
      const page = await context.newPage();
      page.on("console", (m) => consoleLines.push(m.text()));
      page.on("pageerror", (e) => consoleLines.push(String(e)));
      await page.goto(`${pageOrigin}/`);
      await page.waitForFunction(() => (globalThis as { __done?: boolean }).__done === true, null, {
        timeout: 60_000,
      });
      results = await page.evaluate(() =>
        (globalThis as unknown as { __results: Record<string, Outcome> }).__results
      );
    } finally {
      await context.close();
    }
    assert.equal(results.crashed, undefined, `${results.crashed}\n${consoleLines.join("\n")}`);
  });

  after(async () => {
    await grpcServer?.close();
    for (const c of channelServers) await c.close();
    await h2Server?.close({ graceMs: 0 });
    await new Promise<void>((resolve) => {
      pageServer.closeAllConnections();
      pageServer.close(() => resolve());
    });
    rmSync(userDataDir, { recursive: true, force: true });
  });

  test("a unary call from the page returns the response and an exposed header", () => {
    assert.deepEqual(results.unary, { ok: { greeting: "Hello, Chromium!", greeter: "wirecall" } });
  });

  test("Connect from the page: a unary GET with an exposed header, and a server stream", () => {
    assert.deepEqual(results.connect, {
      ok: { greeting: "Hello, Connect!", greeter: "wirecall", numbers: [2, 1] },
    });
  });

  test("a Connect error reaches the page with its code, message and details", () => {
    assert.deepEqual(results.connectError, {
      code: Code.INVALID_ARGUMENT,
      message: "name is required",
      details: ["5"],
    });
  });

  test("REST from the page: GET and a preflighted JSON POST, cross-origin", () => {
    assert.deepEqual(results.rest, {
      ok: { status: 200, get: { greeting: "Hello, REST!" }, post: { greeting: "Hello, posted!" } },
    });
  });

  test("a server stream is read in the page", () => {
    assert.deepEqual(results.serverStream, { ok: [3, 2, 1] });
  });

  test("the text format works in the page", () => {
    assert.deepEqual(results.text, { ok: "Hello, text!" });
  });

  test("an error with details reaches the page with its code, message and details", () => {
    assert.deepEqual(results.error, {
      code: Code.INVALID_ARGUMENT,
      message: "name is required",
      details: ["5"],
    });
  });

  test("a deadline set in the page ends the call with DEADLINE_EXCEEDED", () => {
    assert.equal(results.deadline.code, Code.DEADLINE_EXCEEDED);
  });

  test("a cancel in the page ends the stream with CANCELLED and cancels the handler", async () => {
    assert.equal(results.cancel.code, Code.CANCELLED);
    // The handler learns of it when the browser drops the connection: wait for that event.
    const cancelled = () => observed.aborts.some((r) => (r as RpcError).code === Code.CANCELLED);
    for (let i = 0; i < 200 && !cancelled(); i++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(cancelled(), "the server-side handler saw CANCELLED");
  });

  test("client streaming fails at once in the page with UNIMPLEMENTED", () => {
    assert.equal(results.clientStream.code, Code.UNIMPLEMENTED);
  });

  test("client streaming works in the page over HTTP/2 with requestStreaming: true", () => {
    assert.deepEqual(results.clientStreamOverH2, { ok: "42" });
  });

  test("a channel in the page balances calls over two servers with round_robin", () => {
    assert.deepEqual(results.channelRoundRobin, { ok: ["a", "b", "a", "b"] });
  });

  test("a channel in the page retries UNAVAILABLE and reports the attempts in the trailers", () => {
    assert.deepEqual(results.channelRetry, { ok: { attempts: "2" } });
  });

  test("a channel in the page waits for the server's pushback before retrying", () => {
    assert.deepEqual(results.channelPushback, { ok: { waitedForPushback: true } });
  });

  test("a channel in the page fails a non-retryable code at once", () => {
    assert.equal(results.channelInvalid.code, Code.INVALID_ARGUMENT);
  });
});
