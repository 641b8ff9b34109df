// Test certificates made on the fly with openssl: a CA, a server certificate
// for 127.0.0.1/localhost and a client certificate, in a temporary directory.
// No private key is ever committed.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** PEM files of a test PKI, as paths and as text. */
export interface TestCertificates {
  dir: string;
  caPath: string;
  certPath: string;
  keyPath: string;
  ca: string;
  cert: string;
  key: string;
  clientCert: string;
  clientKey: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** Issues `name`.pem and `name`.key, signed by the CA in `dir`, with an X.509 extension line. */
function issue(
  dir: string,
  name: string,
  subject: string,
  extension: string,
  days = 2,
): void {
  writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
  openssl(
    dir,
    "req -newkey rsa:2048 -nodes".split(" ").concat([
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      subject,
    ]),
  );
  openssl(
    dir,
    "x509 -req -CA ca.pem -CAkey ca.key -CAcreateserial -days".split(" ").concat([
      String(days),
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.pem`,
      "-extfile",
      `${name}.ext`,
    ]),
  );
}

/** Generates a CA, a server certificate (SAN 127.0.0.1, localhost) and a client certificate. */
export function generateTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "wirecall-certs-"));
  openssl(
    dir,
    "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2".split(" ").concat([
      "-subj",
      "/CN=wirecall test CA",
    ]),
  );
  issue(dir, "server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost");
  issue(dir, "client", "/CN=wirecall test client", "extendedKeyUsage=clientAuth");
  const read = (name: string) => readFileSync(join(dir, name), "utf8");
  return {
    dir,
    caPath: join(dir, "ca.pem"),
    certPath: join(dir, "server.pem"),
    keyPath: join(dir, "server.key"),
    ca: read("ca.pem"),
    cert: read("server.pem"),
    key: read("server.key"),
    clientCert: read("client.pem"),
    clientKey: read("client.key"),
  };
}

/**
 * Issues one more server certificate from the CA of `certs`: `days` of
 * validity (negative: already expired) for the subject alternative names
 * `san` (`IP:…`, `DNS:…`). Returns its PEM certificate and key.
 */
export function issueServerCertificate(
  certs: TestCertificates,
  name: string,
  options: { days?: number; san?: string } = {},
): { cert: string; key: string } {
  issue(
    certs.dir,
    name,
    "/CN=wirecall test server",
    `subjectAltName=${options.san ?? "IP:127.0.0.1,DNS:localhost"}`,
    options.days ?? 2,
  );
  return {
    cert: readFileSync(join(certs.dir, `${name}.pem`), "utf8"),
    key: readFileSync(join(certs.dir, `${name}.key`), "utf8"),
  };
}
