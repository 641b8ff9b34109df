// Lint against `buf lint` as the oracle: a fixture full of violations
// (naming, packages and directories, options per package, imports, enums,
// RPC names and uniqueness, comments, streaming, `// buf:lint:ignore`
// comments, a file with no package or syntax) under several
// configurations; every finding (rule ID, file, line, column, message) must
// equal buf's. The googleapis corpus is linted in corpus.test.ts.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { lint, type LintOptions } from "../../codegen/checks/lint.ts";
import { compile } from "../../codegen/compile.ts";
import { bufLint, key, protoFiles } from "./support/check-oracle.ts";
import { diskReader, repoRoot } from "./support/repo.ts";

const root = join(repoRoot, "tests", "codegen", "lint-fixtures");

/** wirecall's lint options as buf.yaml's `lint` section. */
export function toBufLintConfig(o: LintOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names: Record<string, string> = {
    use: "use",
    except: "except",
    ignore: "ignore",
    ignoreOnly: "ignore_only",
    disallowCommentIgnores: "disallow_comment_ignores",
    enumZeroValueSuffix: "enum_zero_value_suffix",
    rpcAllowSameRequestResponse: "rpc_allow_same_request_response",
    rpcAllowGoogleProtobufEmptyRequests: "rpc_allow_google_protobuf_empty_requests",
    rpcAllowGoogleProtobufEmptyResponses: "rpc_allow_google_protobuf_empty_responses",
    serviceSuffix: "service_suffix",
  };
  for (const [k, v] of Object.entries(o)) if (names[k]) out[names[k]] = v;
  return out;
}

const CONFIGS: [string, LintOptions][] = [
  ["the default rules (STANDARD)", {}],
  [
    "every category",
    { use: ["STANDARD", "COMMENTS", "UNARY_RPC", "STABLE_PACKAGE_NO_IMPORT_UNSTABLE"] },
  ],
  ["MINIMAL", { use: ["MINIMAL"] }],
  ["BASIC with except and ignore", {
    use: ["BASIC"],
    except: ["ENUM_NO_ALLOW_ALIAS"],
    ignore: ["Bad_Dir"],
  }],
  ["ignore_only and the rule options", {
    ignoreOnly: { FIELD_LOWER_SNAKE_CASE: ["acme/shop/v1/shop.proto"] },
    enumZeroValueSuffix: "_NONE",
    serviceSuffix: "API",
    rpcAllowGoogleProtobufEmptyRequests: true,
    rpcAllowGoogleProtobufEmptyResponses: true,
    rpcAllowSameRequestResponse: true,
  }],
  ["comment ignores disallowed", { disallowCommentIgnores: true }],
];

describe("lint agrees with buf lint", () => {
  const r = compile({ files: protoFiles(root), includePaths: [root], readFile: diskReader });
  for (const [label, options] of CONFIGS) {
    test(`under ${label}`, { timeout: 120_000 }, () => {
      assert.deepEqual(r.diagnostics, []);
      const ours = lint(r.files, {
        ...options,
        imports: r.allFiles,
        unusedImports: r.unusedImports,
      })
        .map(key);
      const theirs = bufLint(root, toBufLintConfig(options)).map(key);
      assert.ok(theirs.length > 0, "buf found something to compare");
      assert.deepEqual(ours, theirs);
    });
  }

  test("a // buf:lint:ignore comment silences only the rule it names", { timeout: 30_000 }, () => {
    const findings = lint(r.files, { imports: r.allFiles, unusedImports: r.unusedImports });
    const at = (line: number) =>
      findings.filter((a) => a.path === "acme/shop/v1/shop.proto" && a.startLine === line)
        .map((a) => a.type);
    // line 19: `string ignoredCamel = 4;` under `// buf:lint:ignore FIELD_LOWER_SNAKE_CASE`
    assert.deepEqual(at(19), []);
    // line 16: `string displayName = 2;` has no ignore comment
    assert.deepEqual(at(16), ["FIELD_LOWER_SNAKE_CASE"]);
  });
});
