/**
 * The figures beside the call matrix: payload sizes, loopback against a
 * direct call, codegen wall time against buf (from `bench/codegen.ts`,
 * owned by the codegen work), and browser bundle sizes.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { bundleSizes } from "./bundle-size.ts";
import { loopbackVsDirect } from "./loopback-vs-direct.ts";
import { payloadSizes } from "./payload-size.ts";

/** One extra figure. */
export interface ExtraRow {
  key: string;
  name: string;
  value: string;
  number: number;
}

/** The extras of a run. */
export interface Extras {
  rows: ExtraRow[];
  notes: string[];
  raw: Record<string, unknown>;
}

const kB = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** Runs every extra; a failing one is noted, not fatal. */
export async function runExtras(repoRoot: string, log: (line: string) => void): Promise<Extras> {
  const x: Extras = { rows: [], notes: [], raw: {} };
  const attempt = async (what: string, f: () => Promise<void>) => {
    log(`— extras: ${what}`);
    try {
      await f();
    } catch (e) {
      x.notes.push(`${what}: failed (${(e as Error).message.split("\n")[0]})`);
    }
  };
  await attempt("payload sizes", () => {
    const sizes = payloadSizes();
    x.raw.payloadSizes = sizes;
    for (const s of sizes) {
      x.rows.push({
        key: `size:${s.message}`,
        name: `${s.message}: protobuf / JSON bytes`,
        value: `${s.protobufBytes} / ${s.jsonBytes} (JSON ${
          (s.jsonBytes / s.protobufBytes).toFixed(2)
        }×)`,
        number: s.protobufBytes / s.jsonBytes,
      });
    }
    return Promise.resolve();
  });
  await attempt("loopback vs direct call", async () => {
    const r = await loopbackVsDirect(500);
    x.raw.loopback = r;
    x.rows.push({
      key: "loopback",
      name: "loopback unary calls/s vs a direct call doing the same encode+decode",
      value: `${Math.round(r.loopbackCallsPerS)} vs ${Math.round(r.directCallsPerS)} (${
        r.ratio.toFixed(2)
      }×; the direct call with toBinary: ${Math.round(r.toBinaryCallsPerS)})`,
      number: r.ratio,
    });
  });
  await attempt("codegen vs buf", async () => {
    const file = `${repoRoot}bench/codegen.ts`;
    if (!existsSync(file)) {
      x.notes.push("codegen vs buf: bench/codegen.ts is not there yet");
      return;
    }
    const { runCodegenBench } = await import(file) as {
      runCodegenBench: (o: { runs?: number }) => Promise<Record<string, number>>;
    };
    const r = await runCodegenBench({ runs: 1 });
    x.raw.codegen = r;
    x.rows.push({
      key: "codegen",
      name: `codegen: googleapis corpus (${r.files} files, ${
        r.sourceMB?.toFixed?.(1)
      } MB) — wirecall vs buf build`,
      value: `${r.wirecallMs} ms vs ${r.bufMs} ms (${r.ratioToBuf}× buf)`,
      number: r.ratioToBuf,
    });
    x.notes.push(`codegen details: ${describe(r)}`);
  });
  await attempt("browser bundle size", async () => {
    const sizes = await bundleSizes(repoRoot);
    x.raw.bundles = sizes;
    for (const b of sizes) {
      x.rows.push({
        key: `bundle:${b.name}`,
        name: `browser bundle, ${b.name} (minified / gzipped)`,
        value: `${kB(b.minifiedBytes)} / ${kB(b.gzippedBytes)}${
          b.nodeImports.length > 0 ? ` — imports ${b.nodeImports.join(", ")}` : ""
        }`,
        number: b.gzippedBytes,
      });
    }
    const [ours, theirs] = sizes;
    x.rows.push({
      key: "bundle:ratio",
      name: "browser bundle, wirecall ÷ Connect (gzipped)",
      value: `${(ours.gzippedBytes / theirs.gzippedBytes).toFixed(2)}×`,
      number: ours.gzippedBytes / theirs.gzippedBytes,
    });
  });
  return x;
}

function describe(r: unknown): string {
  if (typeof r !== "object" || r === null) return String(r);
  return Object.entries(r as Record<string, unknown>)
    .filter(([, v]) => typeof v !== "object")
    .map(([k, v]) => `${k}: ${typeof v === "number" ? +v.toFixed(3) : v}`)
    .join(", ");
}
