// A second corpus: the Cosmos SDK and IBC protos as npm ships them
// (@protobufs/cosmos, @protobufs/ibc and their dependencies: gogoproto,
// cosmos_proto, amino, tendermint, confio, google). Many packages that nest
// and cross-import, and heavy custom options (gogoproto, cosmos.msg,
// amino, cosmos_proto scalars). Every file must equal `buf build`'s
// FileDescriptorProto, with and without source info.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { compile } from "../../codegen/compile.ts";
import { bufBuild, packageVersion } from "./support/buf-oracle.ts";
import { protoFiles } from "./support/check-oracle.ts";
import { compareWithBuf } from "./support/compare.ts";
import { diskReader, repoRoot } from "./support/repo.ts";

const root = join(repoRoot, "node_modules", "@protobufs");

describe("Cosmos SDK corpus (npm @protobufs/cosmos, @protobufs/ibc) against buf build", () => {
  for (const sourceInfo of [true, false]) {
    test(
      `every file equals buf's descriptor ${sourceInfo ? "with" : "without"} source info`,
      {
        timeout: 300_000,
      },
      () => {
        assert.ok(
          existsSync(join(root, "cosmos")),
          "npm install brings @protobufs/cosmos",
        );
        const files = protoFiles(root);
        const r = compile({
          files,
          includePaths: [root],
          readFile: diskReader,
          sourceInfo,
        });
        assert.deepEqual(r.diagnostics, []);
        const key = ["cosmos", "ibc"].map((p) => `${p}-${packageVersion(`@protobufs/${p}`)}`).join(
          "-",
        );
        const { matched, total, missing, report } = compareWithBuf(
          r.files,
          bufBuild(root, { key: `protobufs-${key}`, sourceInfo }),
        );
        console.log(
          `cosmos corpus ${
            sourceInfo ? "with" : "without"
          } source info: ${matched}/${total} files equal buf's`,
        );
        assert.deepEqual(missing, []);
        assert.equal(total, files.length);
        assert.equal(matched, total, report.join("\n"));
      },
    );
  }
});
