/**
 * Which rules run and where their findings are dropped, as in buf's
 * configuration (`use`, `except`, `ignore`, `ignore_only`,
 * `ignore_unstable_packages`): rule IDs and categories expand to rules;
 * paths ignore the files they are or contain.
 *
 * @module
 */

/** A rule: its ID, its categories, and whether it runs when `use` is not given. */
export interface RuleSpec {
  /** UPPER_SNAKE_CASE ID, e.g. `FIELD_NO_DELETE`. */
  id: string;
  /** Categories, e.g. `["FILE", "PACKAGE"]`. */
  categories: string[];
  /** Whether it is one of buf's default rules. */
  isDefault: boolean;
  /** What it checks, in buf's words. */
  purpose: string;
}

/** buf-style check configuration. */
export interface CheckConfig {
  /** Rule IDs and categories to run (default: buf's default rules). */
  use?: string[];
  /** Rule IDs and categories not to run. */
  except?: string[];
  /** Files or directories (import paths) whose findings are dropped. */
  ignore?: string[];
  /** Per rule ID or category: files or directories whose findings of it are dropped. */
  ignoreOnly?: Record<string, string[]>;
  /** Breaking only: drop findings in packages that are not stable (`v1alpha1`, `v2beta1`, `v1test`). */
  ignoreUnstablePackages?: boolean;
}

/** The rules selected by `config`, or an error naming an unknown rule or category. */
export function selectRules(all: RuleSpec[], config: CheckConfig): Set<string> | Error {
  const expand = (names: string[]): Set<string> | Error => {
    const out = new Set<string>();
    for (const n of names) {
      const matched = all.filter((r) => r.id === n || r.categories.includes(n));
      if (matched.length === 0) return new Error(`"${n}" is not a known rule or category`);
      for (const r of matched) out.add(r.id);
    }
    return out;
  };
  const used = config.use?.length
    ? expand(config.use)
    : new Set(all.filter((r) => r.isDefault).map((r) => r.id));
  if (used instanceof Error) return used;
  const except = expand(config.except ?? []);
  if (except instanceof Error) return except;
  for (const id of except) used.delete(id);
  return used;
}

/** True when `path` is `dir` or lies under it (import paths, `/`-separated). */
export function pathIn(path: string, dir: string): boolean {
  const d = dir.replace(/^\.\/+/, "").replace(/\/+$/, "");
  return d === "" || d === "." || path === d || path.startsWith(d + "/");
}

/** Whether a finding of `ruleId` in `path` is ignored by `config`. */
export function isIgnored(
  all: RuleSpec[],
  config: CheckConfig,
  ruleId: string,
  path: string,
): boolean {
  if ((config.ignore ?? []).some((d) => pathIn(path, d))) return true;
  const rule = all.find((r) => r.id === ruleId);
  for (const [key, dirs] of Object.entries(config.ignoreOnly ?? {})) {
    if (key !== ruleId && !rule?.categories.includes(key)) continue;
    if (dirs.some((d) => pathIn(path, d))) return true;
  }
  return false;
}

/**
 * Whether a package is unstable by buf's rule (`protoversion`): its last
 * component is a version with an `alpha`, `beta` or `test` suffix, like
 * `v1alpha1`, `v1beta`, `v2test`.
 */
export function isUnstablePackage(pkg: string): boolean {
  const last = pkg.split(".").pop() ?? "";
  return /^v\d+(alpha|beta)\d*$/.test(last) || /^v\d+(p\d+)?(alpha|beta)\d*$/.test(last) ||
    /^v\d+test\w*$/.test(last);
}
