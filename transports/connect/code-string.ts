import { Code, codeName } from "../../mod.ts";

/**
 * The Connect protocol's name of a status code: the gRPC name in lower
 * snake case, with Connect's spelling `canceled` for `CANCELLED`.
 *
 * @example
 * ```ts
 * import { Code } from "wirecall";
 * import { codeToString } from "wirecall/transports/connect";
 * codeToString(Code.NOT_FOUND); // "not_found"
 * ```
 */
export function codeToString(code: Code): string {
  return code === Code.CANCELLED ? "canceled" : codeName(code).toLowerCase();
}

const byName = new Map<string, Code>();
for (const code of Object.values(Code)) byName.set(codeToString(code), code);

/**
 * Reads a Connect status code name; `undefined` for a name that is not one
 * (`ok` included, which never travels in an error).
 *
 * @example
 * ```ts
 * import { codeFromString } from "wirecall/transports/connect";
 * codeFromString("deadline_exceeded"); // 4
 * ```
 */
export function codeFromString(name: string): Code | undefined {
  const code = byName.get(name);
  return code === Code.OK ? undefined : code;
}
