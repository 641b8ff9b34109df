// Stopgap until wirecall's own codegen lands: generates the TypeScript for
// protos/ with buf + protoc-gen-es from npm. Reproducible with `npm run gen`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const bin = (name) => join(root, "node_modules", ".bin", name);
const targets = [
  { out: "src/gen", paths: ["google/rpc/status.proto", "grpc/health/v1/health.proto", "grpc/reflection/v1/reflection.proto", "grpc/reflection/v1alpha/reflection.proto"] },
  { out: "protos/gen", paths: ["wirecall/demo/v1/demo.proto"] },
  { out: "protos/gen", paths: ["wirecall/bench/v1/bench.proto"] },
  { out: "protos/gen", paths: ["grpc/testing/empty.proto", "grpc/testing/messages.proto", "grpc/testing/test.proto"] },
];
for (const t of targets) {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-gen-"));
  const template = {
    version: "v2",
    plugins: [{ local: bin("protoc-gen-es"), out: join(root, t.out), opt: ["target=ts", "import_extension=ts", "erasable_syntax=true"] }],
  };
  writeFileSync(join(dir, "buf.gen.yaml"), JSON.stringify(template));
  execFileSync(bin("buf"), ["generate", join(root, "protos"), "--template", join(dir, "buf.gen.yaml"), ...t.paths.flatMap((p) => ["--path", join(root, "protos", p)])], { stdio: "inherit", cwd: root });
  rmSync(dir, { recursive: true });
}
