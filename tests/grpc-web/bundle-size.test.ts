// The browser bundle must not grow unnoticed: its minified and gzipped size
// is recorded in tests/grpc-web/fixtures/bundle-size.json, and a bundle more
// than 2% over the record fails. A growth that is meant goes with a new
// record in the same commit (the failure prints the figure to write).
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { repoRoot } from "../support/repo-root.ts";
import { bundle } from "./bundle.ts";

interface Recorded {
  fixture: string;
  gzipBytes: number;
  minifiedBytes: number;
  connectGzipBytes: number;
}

const recordFile = join(repoRoot, "tests/grpc-web/fixtures/bundle-size.json");

describe("browser bundle size", () => {
  test("the gRPC-Web client bundle is at most 2% over its recorded gzipped size", async () => {
    const recorded = JSON.parse(readFileSync(recordFile, "utf8")) as Recorded;
    const b = await bundle(recorded.fixture, { platform: "browser", minify: true });
    const gzip = gzipSync(b.code, { level: 9 }).byteLength;
    const limit = Math.floor(recorded.gzipBytes * 1.02);
    assert.ok(
      gzip <= limit,
      `${recorded.fixture} bundles to ${gzip} bytes gzipped (${b.code.length} minified), over ` +
        `${limit} (the record ${recorded.gzipBytes} + 2%). If the growth is meant, set ` +
        `"gzipBytes": ${gzip} and "minifiedBytes": ${b.code.length} in ${
          recordFile.slice(repoRoot.length + 1)
        }.`,
    );
  });

  test("the record is the size of today's bundle, not an old one far above it", async () => {
    // A record left far above the real size would let the bundle grow by
    // much more than 2% before the test above notices.
    const recorded = JSON.parse(readFileSync(recordFile, "utf8")) as Recorded;
    const b = await bundle(recorded.fixture, { platform: "browser", minify: true });
    const gzip = gzipSync(b.code, { level: 9 }).byteLength;
    assert.ok(
      gzip >= recorded.gzipBytes * 0.9,
      `the bundle shrank to ${gzip} bytes gzipped; record it: "gzipBytes": ${gzip}, ` +
        `"minifiedBytes": ${b.code.length} in tests/grpc-web/fixtures/bundle-size.json`,
    );
  });
});
