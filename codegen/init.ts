/**
 * `wirecall-codegen init`: writes a starting `wirecall.codegen.json` (one
 * target over the project's .proto directory, buf's default breaking and
 * lint sections) and makes sure `tsconfig.json` has what the generated code
 * needs (`.ts` imports), creating it when there is none.
 *
 * @module
 */

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import process from "node:process";

/** compilerOptions the default output needs; see codegen/README.md for each runtime. */
export const TSCONFIG_FOR_GENERATED_CODE: Record<string, unknown> = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  strict: true,
  // The generated files import each other as `./x_pb.ts`; tsc rewrites that to `.js` when it emits.
  rewriteRelativeImportExtensions: true,
  // The default output only uses erasable syntax, so Node's type stripping runs it.
  erasableSyntaxOnly: true,
  verbatimModuleSyntax: true,
  skipLibCheck: true,
};

/** Runs `init` with its arguments; resolves to the exit code. */
export function runInit(argv: string[]): number {
  let proto: string | undefined;
  let out = "gen";
  for (const a of argv) {
    if (a.startsWith("--proto=")) proto = a.slice("--proto=".length);
    else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else {
      process.stderr.write(
        `wirecall-codegen init: unknown argument ${a}\nUsage: wirecall-codegen init [--proto=DIR] [--out=DIR]\n`,
      );
      return 2;
    }
  }
  proto ??= ["proto", "protos"].find((d) => existsSync(d)) ?? ".";
  const config = "wirecall.codegen.json";
  if (existsSync(config)) {
    process.stderr.write(`wirecall-codegen init: ${config} exists; leaving it as it is\n`);
  } else {
    const body = {
      targets: [{ inputs: [proto], includePaths: [proto], out }],
      breaking: { use: ["FILE"] },
      lint: { use: ["STANDARD"] },
    };
    writeFileSync(config, JSON.stringify(body, null, 2) + "\n");
    process.stderr.write(
      `wirecall-codegen init: wrote ${config} (inputs: ${proto}, out: ${out})\n`,
    );
  }
  const ts = "tsconfig.json";
  if (!existsSync(ts)) {
    writeFileSync(
      ts,
      JSON.stringify({ compilerOptions: TSCONFIG_FOR_GENERATED_CODE }, null, 2) + "\n",
    );
    process.stderr.write(`wirecall-codegen init: wrote ${ts}\n`);
    return 0;
  }
  let json: { compilerOptions?: Record<string, unknown> };
  try {
    json = JSON.parse(readFileSync(ts, "utf8"));
  } catch {
    process.stderr.write(
      `wirecall-codegen init: ${ts} is not plain JSON; add to its compilerOptions:\n` +
        `  "rewriteRelativeImportExtensions": true   (or "allowImportingTsExtensions": true with "noEmit": true)\n`,
    );
    return 0;
  }
  const opts = json.compilerOptions ??= {};
  if (opts.rewriteRelativeImportExtensions || opts.allowImportingTsExtensions) {
    process.stderr.write(`wirecall-codegen init: ${ts} already allows .ts imports\n`);
    return 0;
  }
  if (opts.noEmit === true) opts.allowImportingTsExtensions = true;
  else opts.rewriteRelativeImportExtensions = true;
  writeFileSync(ts, JSON.stringify(json, null, 2) + "\n");
  process.stderr.write(
    `wirecall-codegen init: ${ts}: set ${
      opts.noEmit === true ? "allowImportingTsExtensions" : "rewriteRelativeImportExtensions"
    } so the generated .ts imports type-check\n`,
  );
  return 0;
}
