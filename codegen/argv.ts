/**
 * Reading command-line arguments the way protoc and buf take them:
 * `--key=value` or `--key value`, `-I DIR` or `-IDIR`.
 *
 * @module
 */

/** A mistake on the command line (exit code 2). */
export class UsageError extends Error {}

/** One argument being read, with its `--key` and a way to take its value. */
export interface Arg {
  /** The argument as given. */
  arg: string;
  /** `--key` of `--key=value`, else the argument itself. */
  key: string;
  /** The value: after `=`, or the next argument. */
  value(): string;
  /** The value split on commas. */
  list(): string[];
  /** For include paths: the directory of `-I DIR`, `-IDIR` or `--proto_path`, else undefined. */
  includePath(): string | undefined;
}

/** Calls `each` for every argument; `each` may take the next one as a value. */
export function readArgs(argv: string[], each: (a: Arg) => void): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf("=");
    const key = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0 && arg.startsWith("--")) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    each({
      arg,
      key,
      value,
      list: () => value().split(",").map((s) => s.trim()).filter((s) => s),
      includePath: () => {
        if (arg === "-I" || key === "--proto_path") return value();
        if (arg.startsWith("-I")) return arg.slice(2);
        return undefined;
      },
    });
  }
}
