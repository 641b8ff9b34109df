// The contract checks run in browsers: checkBreaking and lint bundle for the
// browser platform with no Node built-in, and run in the bundle.
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
          contents: `export { checkBreaking } from "./codegen/checks/breaking.ts";
export { lint } from "./codegen/checks/lint.ts";
export { compile } from "./codegen/compile.ts";`,
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
