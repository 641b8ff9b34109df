/**
 * Compiler diagnostics, printed the way protoc prints them:
 * `file:line:col: message` with 1-based line and column.
 *
 * @module
 */

/** A problem found in a .proto file. */
export interface Diagnostic {
  /** The file's name as imported. */
  file: string;
  /** 1-based line, or 0 when unknown. */
  line: number;
  /** 1-based column, or 0 when unknown. */
  column: number;
  /** What is wrong. */
  message: string;
  /** `"warning"` for protoc's warnings; errors leave it unset. */
  severity?: "warning";
}

/**
 * Formats a diagnostic as `file:line:col: message`.
 *
 * @example
 * ```ts
 * formatDiagnostic({ file: "a.proto", line: 3, column: 5, message: "Expected \";\"." });
 * // "a.proto:3:5: Expected \";\"."
 * ```
 */
export function formatDiagnostic(d: Diagnostic): string {
  const message = d.severity === "warning" ? `warning: ${d.message}` : d.message;
  if (d.line <= 0) return `${d.file}: ${message}`;
  return `${d.file}:${d.line}:${d.column}: ${message}`;
}

/** Thrown by {@link compile} when a file has errors; carries every diagnostic. */
export class CompileError extends Error {
  /** All problems found. */
  readonly diagnostics: Diagnostic[];
  /** Wraps the diagnostics; the message lists them one per line. */
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "CompileError";
    this.diagnostics = diagnostics;
  }
}
