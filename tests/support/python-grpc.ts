// gRPC's C core for interop tests: Debian's python3-grpcio under Debian's
// own Python (/usr/bin/python3, whose dist-packages hold it; a python3
// earlier on PATH, such as pyenv's, would not see it). Installed with
// apt-get when missing, as CI runs as root.
import { spawnSync } from "node:child_process";
import process from "node:process";

/** The Python that runs Debian's python3-grpcio. */
export const debianPython = "/usr/bin/python3";

function hasGrpc(): boolean {
  const r = spawnSync(debianPython, ["-c", "import grpc, google.protobuf"], { stdio: "ignore" });
  return r.status === 0;
}

let checked: string | undefined;

/**
 * Makes sure python3-grpcio is importable, installing it with apt-get when
 * missing, and returns the Python to run; throws, saying why, when it cannot.
 */
export function ensurePythonGrpc(): string {
  if (checked !== undefined) return checked;
  if (!hasGrpc()) {
    const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
    const sudo = asRoot ? [] : ["sudo", "-n"];
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const steps = [
      ["apt-get", "update", "-qq"],
      [
        "apt-get",
        "install",
        "-y",
        "-qq",
        "--no-install-recommends",
        "python3-grpcio",
        "python3-protobuf",
      ],
    ];
    for (const step of steps) {
      const cmd = [...sudo, ...step];
      const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "ignore", env, timeout: 300_000 });
      if (r.status !== 0) {
        throw new Error(`python3-grpcio is missing and \`${cmd.join(" ")}\` failed (${r.status})`);
      }
    }
    if (!hasGrpc()) {
      throw new Error(`${debianPython} cannot import grpc after installing python3-grpcio`);
    }
  }
  checked = debianPython;
  return checked;
}
