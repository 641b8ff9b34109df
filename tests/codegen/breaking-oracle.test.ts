// Breaking-change detection against `buf breaking` as the oracle: seeded
// samples of schema mutations over real protos (the hand-written fixtures:
// proto2 groups and extensions, editions features; and googleapis files),
// every buf breaking rule enabled; for each mutation the findings (rule ID,
// file, line, column and message) must equal buf's. buf's answers are
// cached under the temp directory, so only the first run pays for buf.
// `node tests/codegen/oracle-sweep.ts` runs a bigger sweep.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkBreaking } from "../../codegen/checks/breaking.ts";
import { breakingOracle, closure } from "./support/check-oracle.ts";
import { corpusRoot } from "./support/corpus.ts";
import { sampleMutations } from "./support/mutations.ts";
import { repoRoot } from "./support/repo.ts";

/** The sample `npm test` runs: fixed seeds, bounded counts. */
export const SAMPLES = [
  {
    label: "fixtures (proto2, proto3, editions)",
    root: join(repoRoot, "tests", "codegen", "fixtures"),
    targets: ["basics.proto", "comments.proto", "editions.proto"],
    count: 120,
    seed: 5,
  },
  {
    label: "googleapis (pubsub, longrunning, api/http)",
    root: corpusRoot,
    targets: [
      "google/pubsub/v1/pubsub.proto",
      "google/longrunning/operations.proto",
      "google/api/http.proto",
    ],
    count: 60,
    seed: 3,
  },
];

describe("breaking-change detection agrees with buf breaking", () => {
  for (const s of SAMPLES) {
    test(`on every sampled mutation of ${s.label}`, { timeout: 900_000 }, () => {
      const files = closure(s.root, s.targets);
      const targets = [...files].filter(([name]) => s.targets.includes(name));
      const r = breakingOracle(
        files,
        sampleMutations(targets, s.count, s.seed),
        (cur, prev, cfg) => checkBreaking(cur, prev, cfg),
      );
      const findings = [...r.byRule.values()].reduce((a, b) => a + b, 0);
      console.log(
        `breaking oracle, ${s.label}: ${r.agreed}/${r.tried} mutations agree with buf ` +
          `(${findings} findings over ${r.byRule.size} rules; ${r.skipped} rejected by both compilers, ` +
          `${r.compileDisagreements.length} by one)`,
      );
      assert.equal(r.agreed, r.tried, r.report.join("\n"));
      assert.ok(r.tried >= s.count / 2, `only ${r.tried} mutations compiled`);
    });
  }
});
