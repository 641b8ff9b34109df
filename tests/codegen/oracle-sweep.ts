// A bigger sweep of the breaking-change oracle than `npm test` runs:
//   node --conditions=wirecall-source tests/codegen/oracle-sweep.ts [--count=N] [--seed=S] [files…]
// (or `deno run -A tests/codegen/oracle-sweep.ts …`). Files are googleapis
// import paths; by default a spread of the corpus. Prints each
// disagreement and a summary line; exits 1 on any disagreement.
import process from "node:process";
import { checkBreaking } from "../../codegen/checks/breaking.ts";
import { breakingOracle, closure } from "./support/check-oracle.ts";
import { corpusRoot } from "./support/corpus.ts";
import { sampleMutations } from "./support/mutations.ts";

const args = process.argv.slice(2);
const opt = (k: string, d: number) => {
  const a = args.find((x) => x.startsWith(`--${k}=`));
  return a ? Number(a.split("=")[1]) : d;
};
const count = opt("count", 500);
const seed = opt("seed", 11);
const files = args.filter((a) => !a.startsWith("--"));
const targets = files.length ? files : [
  "google/pubsub/v1/pubsub.proto",
  "google/storage/v2/storage.proto",
  "google/spanner/v1/spanner.proto",
  "google/type/datetime.proto",
  "google/rpc/error_details.proto",
  "google/iam/v1/policy.proto",
  "google/cloud/tasks/v2/task.proto",
];
let tried = 0, agreed = 0;
for (const t of targets) {
  const tree = closure(corpusRoot, [t]);
  const r = breakingOracle(
    tree,
    sampleMutations([[t, tree.get(t)!]], Math.ceil(count / targets.length), seed),
    (cur, prev, cfg) => checkBreaking(cur, prev, cfg),
  );
  for (const line of r.report) console.log(line);
  console.log(`${t}: ${r.agreed}/${r.tried} agree (${r.skipped} rejected by both compilers)`);
  tried += r.tried;
  agreed += r.agreed;
}
console.log(`breaking oracle sweep: ${agreed}/${tried} mutations agree with buf`);
process.exit(agreed === tried ? 0 : 1);
