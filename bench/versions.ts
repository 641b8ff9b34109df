/**
 * The versions a result was measured with: the runtime and every peer.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import process from "node:process";

/** Node's version and the installed version of each compared package. */
export function versions(repoRoot: string): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (
    const pkg of [
      "@grpc/grpc-js",
      "@connectrpc/connect-node",
      "@connectrpc/connect-web",
      "@bufbuild/protobuf",
      "undici",
      "esbuild",
    ]
  ) {
    try {
      const json = JSON.parse(readFileSync(`${repoRoot}node_modules/${pkg}/package.json`, "utf8"));
      out[pkg] = json.version;
    } catch {
      out[pkg] = "not installed";
    }
  }
  const wirecall = JSON.parse(readFileSync(`${repoRoot}package.json`, "utf8"));
  out.wirecall = wirecall.version;
  return out;
}
