import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../support/repo-root.ts";
import { bundle } from "./bundle.ts";

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

describe("gRPC-Web browser bundle", () => {
  test("the core and the gRPC-Web client pull in no node:* module or Node builtin", async () => {
    const b = await bundle("tests/grpc-web/fixtures/wirecall-browser-client.ts", {
      platform: "browser",
    });
    assert.deepEqual(b.nodeImports, []);
    const inputs = Object.keys(b.metafile.inputs);
    assert.ok(inputs.some((p) => p.endsWith("transports/grpc-web/client-transport.ts")));
    assert.ok(!inputs.some((p) => p.includes("node_modules/undici")), "undici stays out");
  });

  test("a browser bundle encodes with toBinary; an edge bundle keeps the sized encoder", async () => {
    // package.json's `browser` field swaps src/binary-encoder.ts for
    // src/binary-encoder-browser.ts; its dist/ entry must name the same files.
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      browser: Record<string, string>;
    };
    assert.deepEqual(pkg.browser, {
      "./src/binary-encoder.ts": "./src/binary-encoder-browser.ts",
      "./dist/src/binary-encoder.js": "./dist/src/binary-encoder-browser.js",
    });
    const browser = await bundle("tests/grpc-web/fixtures/wirecall-browser-client.ts", {
      platform: "browser",
    });
    const browserInputs = Object.keys(browser.metafile.inputs);
    assert.ok(browserInputs.includes("src/binary-encoder-browser.ts"), browserInputs.join(", "));
    assert.ok(!browserInputs.includes("src/binary-encoder.ts"));
    const edge = await bundle("tests/grpc-web/fixtures/wirecall-browser-client.ts", {
      platform: "neutral",
      conditions: ["workerd", "worker", "browser"],
    });
    assert.ok(Object.keys(edge.metafile.inputs).includes("src/binary-encoder.ts"));
  });

  test("the Node glue is what would pull in Node modules, so it lives on its own path", async () => {
    const b = await bundle("transports/grpc-web/node.ts", { platform: "browser" });
    assert.ok(b.nodeImports.some((i) => i.startsWith("node:")), b.nodeImports.join(", "));
  });

  test("its minified and gzipped size is recorded beside connect-web's for the same service", async () => {
    const ours = await bundle("tests/grpc-web/fixtures/wirecall-browser-client.ts", {
      platform: "browser",
      minify: true,
    });
    const theirs = await bundle("tests/grpc-web/fixtures/connect-browser-client.ts", {
      platform: "browser",
      minify: true,
    });
    const size = (code: string) => ({
      min: code.length,
      gzip: gzipSync(code, { level: 9 }).byteLength,
    });
    const a = size(ours.code);
    const b = size(theirs.code);
    console.log(
      `bundle size (DemoService client, esbuild --minify, gzip -9): ` +
        `wirecall core + grpc-web ${kib(a.min)} min / ${kib(a.gzip)} gz; ` +
        `@connectrpc/connect-web + @bufbuild/protobuf ${kib(b.min)} min / ${kib(b.gzip)} gz`,
    );
    assert.deepEqual(theirs.nodeImports, []);
    assert.ok(a.gzip > 0 && b.gzip > 0);
  });
});
