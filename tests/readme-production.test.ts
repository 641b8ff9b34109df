// The README's "Channels: …", "Auth", "Circuit breaker and load shedding",
// "Observability" and "Errors with details" snippets, run as they are
// written (under Deno, with the repository's import map) and checked by
// what they print.
import { after, describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./support/repo-root.ts";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "wirecall-readme-"));

/** The first ```ts block under `## heading`. */
function snippet(heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has no section "${heading}"`);
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const m = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(m, `section "${heading}" has no ts block`);
  return m[1];
}

/** Runs a snippet with Deno from a temporary file; resolves with its stdout. */
function run(heading: string): string {
  const protos = pathToFileURL(join(repoRoot, "protos")).href;
  const code = snippet(heading).replaceAll('"./protos/', `"${protos}/`);
  const file = join(dir, `${heading.replace(/\W+/g, "-")}.ts`);
  writeFileSync(file, code);
  const deno = join(repoRoot, "node_modules", ".bin", "deno");
  const r = spawnSync(deno, ["run", "-A", "--config", join(repoRoot, "deno.json"), file], {
    cwd: repoRoot,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `the "${heading}" snippet failed:\n${r.stderr}`);
  return r.stdout;
}

describe("README: the production features' snippets run", () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("Channels: round_robin over three servers behind an ipv4: target", () => {
    const lines = run("Channels: targets, service config, retries, balancing").trim().split("\n");
    assert.deepEqual(lines.slice(0, 2), ["connecting", "ready"]);
    assert.equal(lines.length, 6, lines.join("\n"));
    for (const line of lines.slice(2, 5)) assert.match(line, /^hello from [abc]$/);
    assert.equal(lines[5], "shutdown");
  });

  test("Auth: a refreshed bearer token, verified as a JWT, names the caller", () => {
    assert.equal(run("Auth").trim(), "Hello, ada!");
  });

  test("Circuit breaker and load shedding: three failures open it; after openMs it is half-open", () => {
    const lines = run("Circuit breaker and load shedding").trim().split("\n");
    assert.deepEqual(lines.slice(0, 3), ["overloaded", "overloaded", "overloaded"]);
    assert.match(
      lines[3],
      /^circuit breaker open for this client: .* the next probe goes in 30000 ms$/,
    );
    assert.deepEqual(lines.slice(4), ["open", "half_open"]);
  });

  test("Observability: one JSON line per call on each side, and the metrics text", () => {
    const out = run("Observability");
    const entries = out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    assert.deepEqual(entries.map((e) => [e.side, e.method, e.code]), [
      ["server", "/wirecall.demo.v1.DemoService/Greet", "OK"],
      ["client", "/wirecall.demo.v1.DemoService/Greet", "OK"],
    ]);
    assert.match(
      out,
      /^grpc_server_handled_total\{grpc_code="OK",grpc_method="Greet",grpc_service="wirecall\.demo\.v1\.DemoService",grpc_type="unary"\} 1$/m,
    );
  });

  test("Errors with details: the details read back in one call", () => {
    assert.equal(
      run("Errors with details").trim(),
      "email EMAIL_INVALID Please check your email address.",
    );
  });
});
