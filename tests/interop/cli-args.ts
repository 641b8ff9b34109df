// Flags in the gRPC interop style: `--name value`, `--name=value`, and bare
// `--flag` for booleans.

/** Parsed flags: a string per name, `"true"` for a bare flag. */
export type Flags = Record<string, string>;

/** Parses `args` into flags. */
export function parseFlags(args: readonly string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) continue;
    const eq = arg.indexOf("=");
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
      flags[arg.slice(2)] = args[++i];
    } else {
      flags[arg.slice(2)] = "true";
    }
  }
  return flags;
}

/** Reads a boolean flag (`true`, `1`, `yes`, or bare). */
export function flagSet(flags: Flags, name: string): boolean {
  const v = flags[name];
  return v === "true" || v === "1" || v === "yes";
}

/** The command-line arguments, under Deno and Node alike. */
export function commandLine(): string[] {
  const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
  return deno !== undefined ? deno.args : process.argv.slice(2);
}
