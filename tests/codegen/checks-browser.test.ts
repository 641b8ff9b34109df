// The contract checks run in browsers: wirecall-codegen/checks (checkBreaking,
// lint, compile) bundles for the browser platform with no Node built-in, and
// runs in the bundle.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";

import { buildSync } from "esbuild";
import { repoRoot } from "./support/repo.ts";

describe("checkBreaking and lint in a browser bundle", () => {
  test(
    "bundle for the browser platform without any node:* module",
    { timeout: 60_000 },
    async () => {
      const out = buildSync({
        stdin: {
          // The entry users import: wirecall-codegen/checks.
          contents: `export { checkBreaking, compile, lint } from "./codegen/checks/mod.ts";`,
          resolveDir: repoRoot,
          loader: "ts",
        },
        bundle: true,
        platform: "browser",
        format: "esm",
        write: false,
        logLevel: "silent",
      });
      const code = out.outputFiles[0].text;
      assert.doesNotMatch(code, /from\s+["']node:/);
      const mod = await import(
        "data:text/javascript;base64," + btoa(unescape(encodeURIComponent(code)))
      );
      const v1 = mod.compile({
        files: ["a.proto"],
        sources: { "a.proto": 'syntax = "proto3";\nmessage A { string x = 1; }\n' },
      });
      const v2 = mod.compile({
        files: ["a.proto"],
        sources: { "a.proto": 'syntax = "proto3";\nmessage A {}\n' },
      });
      const found = mod.checkBreaking(v2.files, v1.files);
      assert.deepEqual(found.map((a: { type: string }) => a.type), ["FIELD_NO_DELETE"]);
    },
  );
});
