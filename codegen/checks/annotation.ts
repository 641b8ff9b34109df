/**
 * Findings of the contract checks (breaking changes, lint), in buf's shape:
 * a rule ID, a message, and where — a file and a span, or nothing for
 * findings about something that no longer exists (a deleted file). Sorted,
 * de-duplicated and printed as buf prints them: `path:line:col:message` text
 * or JSON lines with `path`, `start_line`, `start_column`, `end_line`,
 * `end_column`, `type`, `message`.
 *
 * @module
 */

/** One finding. Lines and columns are 1-based; 1:1 when the finding has no span. */
export interface Annotation {
  /** The rule ID, e.g. `FIELD_NO_DELETE`. */
  type: string;
  /** What is wrong, in buf's words. */
  message: string;
  /** The file it is in (its import path), or undefined (buf prints `<input>`). */
  path?: string;
  /** Start line. */
  startLine: number;
  /** Start column. */
  startColumn: number;
  /** End line. */
  endLine: number;
  /** End column. */
  endColumn: number;
}

/** How findings are printed: buf's `text` or `json` (`--error-format`). */
export type AnnotationFormat = "text" | "json";

/** buf's order: path, start line, start column, type, message, end line, end column; duplicates removed. */
export function sortAnnotations(list: Annotation[]): Annotation[] {
  const seen = new Set<string>();
  const out: Annotation[] = [];
  for (const a of list) {
    const key = JSON.stringify([
      a.path,
      a.startLine,
      a.startColumn,
      a.endLine,
      a.endColumn,
      a.type,
      a.message,
    ]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(a);
  }
  const cmp = (x: string | number, y: string | number) => (x < y ? -1 : x > y ? 1 : 0);
  return out.sort((a, b) => {
    if (a.path === undefined && b.path !== undefined) return -1;
    if (a.path !== undefined && b.path === undefined) return 1;
    return cmp(a.path ?? "", b.path ?? "") || cmp(a.startLine, b.startLine) ||
      cmp(a.startColumn, b.startColumn) || cmp(a.type, b.type) || cmp(a.message, b.message) ||
      cmp(a.endLine, b.endLine) || cmp(a.endColumn, b.endColumn);
  });
}

/**
 * Formats findings one per line, as buf does. `displayPath` maps a file's
 * import path to the path shown (buf shows the path as the input names it,
 * e.g. `proto/acme/v1/a.proto`).
 *
 * @example
 * ```ts
 * formatAnnotations([{ type: "FIELD_NO_DELETE", message: "…", path: "a.proto",
 *   startLine: 3, startColumn: 1, endLine: 6, endColumn: 2 }], "text");
 * // "a.proto:3:1:…"
 * ```
 */
export function formatAnnotations(
  list: Annotation[],
  format: AnnotationFormat,
  displayPath: (path: string) => string = (p) => p,
): string {
  return list.map((a) => {
    const path = a.path === undefined ? undefined : displayPath(a.path);
    if (format === "json") {
      const o: Record<string, unknown> = {};
      if (path !== undefined) o.path = path;
      o.start_line = a.startLine;
      o.start_column = a.startColumn;
      o.end_line = a.endLine;
      o.end_column = a.endColumn;
      o.type = a.type;
      o.message = a.message;
      // Go's encoder escapes <, > and & in strings; so does buf's output.
      return JSON.stringify(o).replace(
        /[<>&]/g,
        (c) => "\\u00" + c.charCodeAt(0).toString(16).padStart(2, "0"),
      );
    }
    return `${path ?? "<input>"}:${a.startLine}:${a.startColumn}:${a.message}`;
  }).join("\n");
}
