// Debian packages that tests drive (nginx, haproxy, …), installed with
// apt-get when missing, as CI runs as root; never in a user's project.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import process from "node:process";

const installed = new Map<string, boolean>();

/**
 * Makes sure `binary` exists, installing Debian's `packages` with apt-get
 * (as root, or through `sudo -n`) when it does not; throws, saying why,
 * when it cannot.
 */
export function ensureDebianBinary(binary: string, packages: string[]): string {
  if (existsSync(binary)) return binary;
  const key = packages.join(" ");
  if (installed.get(key) !== true) {
    const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
    const sudo = asRoot ? [] : ["sudo", "-n"];
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    // Other suites may be installing at the same time: wait for dpkg's lock.
    const lock = ["-o", "DPkg::Lock::Timeout=300"];
    const steps = [
      ["apt-get", ...lock, "update", "-qq"],
      ["apt-get", ...lock, "install", "-y", "-qq", "--no-install-recommends", ...packages],
    ];
    for (const step of steps) {
      const cmd = [...sudo, ...step];
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "ignore", env, timeout: 600_000 });
      if (r.status !== 0) {
        throw new Error(`${binary} is missing and \`${cmd.join(" ")}\` failed (${r.status})`);
      }
    }
    installed.set(key, true);
  }
  if (!existsSync(binary)) throw new Error(`${binary} is missing after installing ${key}`);
  return binary;
}
