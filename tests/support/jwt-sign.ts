// Test tokens signed with node:crypto, an implementation independent of the
// WebCrypto verifier under test: HS256 (HMAC), RS256 (RSA PKCS#1 v1.5) and
// ES256 (ECDSA P-256, raw r||s signatures as JWS wants them).
import { createHmac, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import type { JwtAlgorithm } from "wirecall";

/** A signing key and its public JWK. */
export interface TestSigningKey {
  alg: JwtAlgorithm;
  kid: string;
  /** The public JWK, with `kid` and `alg`, as a JWKS would list it. */
  jwk: JsonWebKey & { kid: string };
  sign(data: string): Uint8Array;
}

const b64url = (bytes: Uint8Array | string) =>
  (typeof bytes === "string" ? Buffer.from(bytes) : Buffer.from(bytes)).toString("base64url");

/** Makes an RS256 or ES256 key pair. */
export function asymmetricKey(alg: "RS256" | "ES256", kid: string): TestSigningKey {
  const { privateKey, publicKey } = alg === "RS256"
    ? generateKeyPairSync("rsa", { modulusLength: 2048 })
    : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = { ...(publicKey as KeyObject).export({ format: "jwk" }), kid, alg, use: "sig" };
  return {
    alg,
    kid,
    jwk: jwk as JsonWebKey & { kid: string },
    sign: (data) =>
      alg === "RS256"
        ? sign("sha256", Buffer.from(data), privateKey)
        : sign("sha256", Buffer.from(data), { key: privateKey, dsaEncoding: "ieee-p1363" }),
  };
}

/** An HS256 key from a shared secret. */
export function hmacKey(secret: string, kid = "hmac"): TestSigningKey {
  return {
    alg: "HS256",
    kid,
    jwk: { kty: "oct", k: b64url(secret), kid, alg: "HS256" },
    sign: (data) => createHmac("sha256", secret).update(data).digest(),
  };
}

/** A compact JWS of `claims` signed with `key` (header `alg`, `kid` unless told otherwise). */
export function signJwt(
  key: TestSigningKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const head = b64url(JSON.stringify({ alg: key.alg, typ: "JWT", kid: key.kid, ...header }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(key.sign(`${head}.${body}`))}`;
}

/** Seconds since the epoch, `offsetS` from now. */
export function epochSeconds(offsetS = 0): number {
  return Math.floor(Date.now() / 1000) + offsetS;
}
