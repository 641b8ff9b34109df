// Debian's nginx (grpc_pass) and haproxy (HTTP/2 on both sides) in front of
// backends on 127.0.0.1, each in its own process with a config in a
// temporary directory. Installed with apt-get when missing.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDebianBinary } from "../support/debian-package.ts";

/** A running proxy: its port, and how to stop it. */
export interface Proxy {
  readonly name: "nginx" | "haproxy";
  readonly port: number;
  /** What the proxy logged, for assertion messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Options of a proxy. */
export interface ProxyOptions {
  /** Idle timeout of client connections, in seconds (default 60). */
  clientIdleSeconds?: number;
  /** haproxy only: proxy TCP (mode tcp) instead of HTTP/2 requests. */
  tcp?: boolean;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (child.exitCode !== null) throw new Error(`the proxy exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(true));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(false)));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the proxy did not listen on ${port}: ${log()}`);
}

function run(
  name: Proxy["name"],
  binary: string,
  args: string[],
  port: number,
  dir: string,
  logFile: string,
): Promise<Proxy> {
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Uint8Array) => (out += new TextDecoder().decode(c)));
  child.stderr!.on("data", (c: Uint8Array) => (out += new TextDecoder().decode(c)));
  const log = () => {
    let file = "";
    try {
      file = readFileSync(logFile, "utf8");
    } catch {
      // no log yet
    }
    return (out + file).slice(-4000);
  };
  const proxy: Proxy = {
    name,
    port,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return waitForPort(port, child, log).then(() => proxy, async (e) => {
    await proxy.stop();
    throw e;
  });
}

/** Starts nginx with `grpc_pass` to `backends` (round robin), on a free port. */
export async function startNginx(backends: number[], options: ProxyOptions = {}): Promise<Proxy> {
  const binary = ensureDebianBinary("/usr/sbin/nginx", ["nginx"]);
  const dir = mkdtempSync(join(tmpdir(), "wirecall-nginx-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(dir, sub));
  const port = await freePort();
  const servers = backends.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=10s;`);
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout ${options.clientIdleSeconds ?? 60}s;
  upstream backends {
${servers.join("\n")}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port} http2;
    http2_max_concurrent_streams 256;
    client_max_body_size 16m;
    location / {
      grpc_pass grpc://backends;
      grpc_read_timeout 60s;
      grpc_send_timeout 60s;
    }
  }
}
`;
  writeFileSync(join(dir, "nginx.conf"), conf);
  return await run(
    "nginx",
    binary,
    ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")],
    port,
    dir,
    join(dir, "error.log"),
  );
}

/** Starts haproxy in front of `backends` (round robin, HTTP/2 both sides), on a free port. */
export async function startHaproxy(backends: number[], options: ProxyOptions = {}): Promise<Proxy> {
  const binary = ensureDebianBinary("/usr/sbin/haproxy", ["haproxy"]);
  const dir = mkdtempSync(join(tmpdir(), "wirecall-haproxy-"));
  const port = await freePort();
  const h2 = options.tcp === true ? "" : " proto h2";
  const servers = backends.map((p, i) => `  server s${i} 127.0.0.1:${p}${h2}`);
  const cfg = `
global
  maxconn 512
  log stderr format raw local0 warning
defaults
  mode ${options.tcp === true ? "tcp" : "http"}
  log global
  timeout connect 2s
  timeout client ${options.clientIdleSeconds ?? 60}s
  timeout server ${options.clientIdleSeconds ?? 60}s
  retries 3
  option redispatch
frontend grpc
  bind 127.0.0.1:${port}${h2}
  default_backend backends
backend backends
  balance roundrobin
${options.tcp === true ? "" : "  retry-on conn-failure\n"}${servers.join("\n")}
`;
  writeFileSync(join(dir, "haproxy.cfg"), cfg);
  return await run(
    "haproxy",
    binary,
    ["-f", join(dir, "haproxy.cfg"), "-db"],
    port,
    dir,
    "/dev/null",
  );
}
