/**
 * Makes a throwaway CA and a server certificate for 127.0.0.1/localhost with
 * openssl, in a temporary directory (never commit private keys).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM text of the CA certificate, the server certificate and its key, and where they are. */
export interface ExampleCerts {
  dir: string;
  ca: string;
  cert: string;
  key: string;
}

/** Generates the certificates (needs `openssl` on the PATH). */
export function makeCerts(): ExampleCerts {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-example-"));
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=example CA",
  );
  run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
    "-subj",
    "/CN=localhost",
  );
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "san.ext",
  );
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return { dir, ca: read("ca.pem"), cert: read("server.pem"), key: read("server.key") };
}
