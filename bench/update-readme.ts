/**
 * Puts the latest full run's tables and chart into bench/README.md, between
 * the `results:start` / `results:end` markers.
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** Replaces the results section of `readmePath` with `markdown` and a link to the chart. */
export function updateReadme(readmePath: string, markdown: string): void {
  const readme = readFileSync(readmePath, "utf8");
  const from = readme.indexOf(START);
  const to = readme.indexOf(END);
  if (from < 0 || to < from) return;
  const body = markdown.replace(/^# .*\n/, "").replace(/^## /gm, "### ");
  const section =
    `${START}\n![throughput as a multiple of the ceiling](results/latest.svg)\n${body}\n${END}`;
  writeFileSync(readmePath, readme.slice(0, from) + section + readme.slice(to + END.length));
}
