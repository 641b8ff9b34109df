/** One segment of a path template: a literal, `*` (one segment) or `**` (the rest). */
export type TemplateSegment =
  | { kind: "literal"; value: string }
  | { kind: "wildcard" }
  | { kind: "rest" };

/** A variable of a path template: the field it sets and the segments it covers. */
export interface TemplateVariable {
  /** The request field, as a path of proto field names (`["sub", "subfield"]`). */
  fieldPath: string[];
  /** Index of its first segment. */
  start: number;
  /** Index after its last segment. */
  end: number;
}

/** A parsed `google.api.http` path template. */
export interface PathTemplate {
  /** The template as written. */
  source: string;
  segments: TemplateSegment[];
  variables: TemplateVariable[];
  /** The custom verb after the last segment (`cancel` in `/v1/{name=ops/*}:cancel`). */
  verb?: string;
}

/** A path template that does not follow the HttpRule grammar. */
export class PathTemplateError extends Error {
  /** `message` says what is wrong and where. */
  constructor(template: string, at: number, what: string) {
    super(`invalid path template "${template}" at offset ${at}: ${what}`);
    this.name = "PathTemplateError";
  }
}

const identStart = /[A-Za-z_]/;
const identChar = /[A-Za-z0-9_]/;
// LITERAL: path characters other than the template's own punctuation.
const literalChar = /[^/{}*:=?#]/;

/**
 * Parses a path template of `google.api.HttpRule`:
 *
 * ```
 * Template = "/" Segments [ Verb ] ;
 * Segments = Segment { "/" Segment } ;
 * Segment  = "*" | "**" | LITERAL | Variable ;
 * Variable = "{" FieldPath [ "=" Segments ] "}" ;
 * FieldPath = IDENT { "." IDENT } ;
 * Verb     = ":" LITERAL ;
 * ```
 *
 * `{var}` means `{var=*}`; `**` may only come last.
 *
 * @example
 * ```ts
 * import { parsePathTemplate } from "wirecall/transports/rest";
 * parsePathTemplate("/v1/{name=shelves/*}").variables[0].fieldPath; // ["name"]
 * ```
 */
export function parsePathTemplate(source: string): PathTemplate {
  let i = 0;
  const fail = (what: string): never => {
    throw new PathTemplateError(source, i, what);
  };
  const segments: TemplateSegment[] = [];
  const variables: TemplateVariable[] = [];

  const literal = (): string => {
    const start = i;
    while (i < source.length && literalChar.test(source[i])) i++;
    if (i === start) fail(`expected a literal, "*", "**" or "{"`);
    return source.slice(start, i);
  };
  const segment = (inVariable: boolean): void => {
    if (source.startsWith("**", i)) {
      segments.push({ kind: "rest" });
      i += 2;
    } else if (source[i] === "*") {
      segments.push({ kind: "wildcard" });
      i++;
    } else if (source[i] === "{") {
      if (inVariable) fail("variables cannot nest");
      variable();
    } else {
      segments.push({ kind: "literal", value: literal() });
    }
  };
  const segmentList = (inVariable: boolean): void => {
    segment(inVariable);
    while (source[i] === "/") {
      i++;
      segment(inVariable);
    }
  };
  const ident = (): string => {
    const start = i;
    if (!identStart.test(source[i] ?? "")) fail("expected a field name");
    while (i < source.length && identChar.test(source[i])) i++;
    return source.slice(start, i);
  };
  const variable = (): void => {
    i++; // "{"
    const fieldPath = [ident()];
    while (source[i] === ".") {
      i++;
      fieldPath.push(ident());
    }
    const start = segments.length;
    if (source[i] === "=") {
      i++;
      segmentList(true);
    } else {
      segments.push({ kind: "wildcard" });
    }
    if (source[i] !== "}") fail('expected "}"');
    i++;
    variables.push({ fieldPath, start, end: segments.length });
  };

  if (source[0] !== "/") fail('a path template starts with "/"');
  i = 1;
  segmentList(false);
  let verb: string | undefined;
  if (source[i] === ":") {
    i++;
    verb = literal();
  }
  if (i !== source.length) fail(`unexpected "${source[i]}"`);
  const restAt = segments.findIndex((s) => s.kind === "rest");
  if (restAt !== -1 && restAt !== segments.length - 1) {
    throw new PathTemplateError(source, source.indexOf("**"), '"**" must be the last segment');
  }
  const seen = new Set<string>();
  for (const v of variables) {
    const name = v.fieldPath.join(".");
    if (seen.has(name)) throw new PathTemplateError(source, 0, `variable "${name}" appears twice`);
    seen.add(name);
  }
  return { source, segments, variables, verb };
}

/** Percent-decodes a path segment; `keepSlash` leaves `%2F` encoded (multi-segment variables). */
function decodeSegment(raw: string, keepSlash: boolean): string | undefined {
  try {
    if (!keepSlash) return decodeURIComponent(raw);
    return raw.split(/%2F/i).map((part) => decodeURIComponent(part)).join("%2F");
  } catch {
    return undefined;
  }
}

/**
 * Matches a request path (percent-encoded, as in a URL) against a template
 * and returns the variables' values, decoded as the HttpRule spec says: a
 * single-segment variable fully, a multi-segment one except `%2F`. Returns
 * `undefined` when the path does not match.
 *
 * @example
 * ```ts
 * import { matchPathTemplate, parsePathTemplate } from "wirecall/transports/rest";
 * const t = parsePathTemplate("/v1/{name=messages/*}");
 * matchPathTemplate(t, "/v1/messages/123456"); // Map { "name" => "messages/123456" }
 * ```
 */
export function matchPathTemplate(
  template: PathTemplate,
  path: string,
): Map<string, string> | undefined {
  if (template.verb !== undefined) {
    const suffix = ":" + template.verb;
    if (!path.endsWith(suffix)) return undefined;
    path = path.slice(0, -suffix.length);
  }
  if (!path.startsWith("/")) return undefined;
  const parts = path.slice(1).split("/");
  const { segments } = template;
  const hasRest = segments.length > 0 && segments[segments.length - 1].kind === "rest";
  if (hasRest ? parts.length < segments.length - 1 : parts.length !== segments.length) {
    return undefined;
  }
  for (let k = 0; k < segments.length; k++) {
    const s = segments[k];
    if (s.kind === "rest") break;
    if (s.kind === "wildcard") {
      if (parts[k] === "") return undefined;
      continue;
    }
    if (decodeSegment(parts[k], false) !== s.value) return undefined;
  }
  const values = new Map<string, string>();
  for (const v of template.variables) {
    const end = v.end === segments.length && hasRest ? parts.length : v.end;
    const covered = parts.slice(v.start, end);
    const single = end - v.start === 1 && segments[v.start].kind === "wildcard";
    const decoded = covered.map((p) => decodeSegment(p, !single));
    if (decoded.some((d) => d === undefined)) return undefined;
    values.set(v.fieldPath.join("."), decoded.join("/"));
  }
  return values;
}

/**
 * Orders templates from most to least specific, so that `/v1/shelves/{id}`
 * is tried before `/v1/{name=**}`: templates without `**` first, then those
 * with more literal segments.
 */
export function templateSpecificity(t: PathTemplate): number {
  const literals = t.segments.filter((s) => s.kind === "literal").length;
  const rest = t.segments.some((s) => s.kind === "rest") ? 1 : 0;
  return (1 - rest) * 10_000 + literals * 100 + (t.verb !== undefined ? 1 : 0);
}
