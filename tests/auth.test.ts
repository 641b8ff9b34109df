import { after, before, describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import {
  authOf,
  Code,
  createBearerAuth,
  createClient,
  createJwtVerifier,
  createServerAuth,
  type HandlerContext,
  ManualClock,
  type Principal,
  RpcError,
  type ServerAuthOptions,
} from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { collect, demoRouter, from, rejection } from "./support/demo-router.ts";
import { asymmetricKey, epochSeconds, hmacKey, signJwt } from "./support/jwt-sign.ts";
import { generateTestCertificates, type TestCertificates } from "./interop/tls-certs.ts";

/** A server answering greet with what it saw: the authorization header and the principal. */
function echoServer(auth?: ServerAuthOptions) {
  const seen: Array<{ header: unknown; principal: Principal | undefined }> = [];
  const { router } = demoRouter({
    interceptors: auth ? [createServerAuth(auth)] : [],
    greet: (name: string, ctx: HandlerContext) => {
      seen.push({ header: ctx.metadata.get("authorization"), principal: authOf(ctx) });
      if (name === "reject") throw new RpcError(Code.UNAUTHENTICATED, "token revoked");
      return { greeting: `hi ${authOf(ctx)?.subject ?? "anonymous"}` };
    },
  });
  return { router, seen };
}

describe("bearer auth (client)", () => {
  test("a static token is sent as authorization: Bearer on every call kind", async () => {
    const { router, seen } = echoServer();
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [createBearerAuth({ token: "t0k3n" })],
    });
    await client.greet({});
    await client.greet({}, { metadata: { authorization: "Bearer mine" } });
    assert.deepEqual(seen.map((s) => s.header), ["Bearer t0k3n", "Bearer mine"]);
  });

  test("concurrent calls share one refresh; the token is reused until it nears expiry", async () => {
    const clock = new ManualClock();
    const { router, seen } = echoServer();
    let refreshes = 0;
    let release: (() => void) | undefined;
    const auth = createBearerAuth({
      clock,
      refreshBeforeMs: 60_000,
      refresh: async () => {
        refreshes++;
        await new Promise<void>((r) => (release = r));
        return { token: `token-${refreshes}`, expiresInMs: 300_000 };
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router), {
      clock,
      interceptors: [auth],
    });
    const calls = [client.greet({}), client.greet({}), client.greet({})];
    await clock.advance(0);
    assert.equal(refreshes, 1);
    release!();
    await Promise.all(calls);
    assert.deepEqual(seen.map((s) => s.header), [
      "Bearer token-1",
      "Bearer token-1",
      "Bearer token-1",
    ]);

    // 4 minutes in, 1 minute before expiry: the call goes with the old token
    // and a refresh starts beside it; the next call has the new one.
    await clock.advance(240_000);
    await client.greet({});
    assert.equal(refreshes, 2);
    assert.equal(seen.at(-1)!.header, "Bearer token-1");
    release!();
    await clock.advance(0);
    await client.greet({});
    assert.equal(seen.at(-1)!.header, "Bearer token-2");
    assert.equal(refreshes, 2);
  });

  test("an expired token is not sent: the call waits for the refresh", async () => {
    const clock = new ManualClock();
    const { router, seen } = echoServer();
    let n = 0;
    const client = createClient(DemoService, createLoopbackTransport(router), {
      clock,
      interceptors: [
        createBearerAuth({
          clock,
          refresh: () => Promise.resolve({ token: `t${++n}`, expiresInMs: 1_000 }),
        }),
      ],
    });
    await client.greet({});
    await clock.advance(1_000);
    await client.greet({});
    assert.deepEqual(seen.map((s) => s.header), ["Bearer t1", "Bearer t2"]);
  });

  test("a JWT's exp is its expiry when the refresher gives none", async () => {
    const clock = new ManualClock();
    const { router, seen } = echoServer();
    const key = hmacKey("k");
    let n = 0;
    const client = createClient(DemoService, createLoopbackTransport(router), {
      clock,
      interceptors: [
        createBearerAuth({
          clock,
          refreshBeforeMs: 0,
          refresh: () => Promise.resolve(signJwt(key, { n: ++n, exp: epochSeconds(100) })),
        }),
      ],
    });
    await client.greet({});
    await clock.advance(50_000);
    await client.greet({});
    assert.equal(n, 1);
    await clock.advance(51_000);
    await client.greet({});
    assert.equal(n, 2);
    assert.notEqual(seen[0].header, seen[2].header);
  });

  test("a failing refresher fails the call with UNAUTHENTICATED naming the cause", async () => {
    const { router, seen } = echoServer();
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [
        createBearerAuth({ refresh: () => Promise.reject(new Error("token endpoint said 503")) }),
      ],
    });
    const error = await rejection(client.greet({}));
    assert.equal(error.code, Code.UNAUTHENTICATED);
    assert.equal(error.rawMessage, "could not get a bearer token: token endpoint said 503");
    assert.equal(seen.length, 0);
  });

  test("a refresh slower than the call's deadline fails the call by its deadline", async () => {
    const clock = new ManualClock();
    const { router } = echoServer();
    const client = createClient(DemoService, createLoopbackTransport(router), {
      clock,
      interceptors: [createBearerAuth({ clock, refresh: () => new Promise(() => {}) })],
    });
    const call = rejection(client.greet({}, { timeoutMs: 500 }));
    await clock.advance(500);
    assert.equal((await call).code, Code.DEADLINE_EXCEEDED);
  });

  test("an UNAUTHENTICATED answer drops the cached token", async () => {
    const { router, seen } = echoServer();
    let n = 0;
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [createBearerAuth({ refresh: () => Promise.resolve(`t${++n}`) })],
    });
    await client.greet({});
    await client.greet({});
    await rejection(client.greet({ name: "reject" }));
    await client.greet({});
    assert.deepEqual(seen.map((s) => s.header), [
      "Bearer t1",
      "Bearer t1",
      "Bearer t1",
      "Bearer t2",
    ]);
  });

  test("options are validated: exactly one of token and refresh", () => {
    assert.throws(() => createBearerAuth({}), /give either a token or a refresh function/);
    assert.throws(
      () => createBearerAuth({ token: "a", refresh: () => Promise.resolve("b") }),
      /give either a token or a refresh function/,
    );
    assert.throws(() => createBearerAuth({ token: "" }), /invalid bearer auth option "token"/);
  });
});

describe("JWT verifier (WebCrypto)", () => {
  const rsa = asymmetricKey("RS256", "rsa-1");
  const ec = asymmetricKey("ES256", "ec-1");
  const hmac = hmacKey("a shared secret of enough length");
  const good = { sub: "ada", iss: "https://auth.test/", aud: "api", exp: epochSeconds(600) };

  test("HS256, RS256 and ES256 tokens signed by node:crypto verify and give their claims", async () => {
    const verify = createJwtVerifier({
      secret: "a shared secret of enough length",
      keys: [rsa.jwk, ec.jwk],
      issuer: "https://auth.test/",
      audience: ["other", "api"],
    });
    for (const key of [hmac, rsa, ec]) {
      const claims = await verify(signJwt(key, { ...good, scope: key.alg }));
      assert.equal(claims.sub, "ada");
      assert.equal(claims.scope, key.alg);
    }
  });

  test("bad tokens are UNAUTHENTICATED, each saying what was wrong", async () => {
    const verify = createJwtVerifier({
      keys: [rsa.jwk, ec.jwk],
      issuer: "https://auth.test/",
      audience: "api",
      clockToleranceMs: 0,
    });
    const cases: Array<[string, string | RegExp]> = [
      ["not-a-jwt", "malformed token: expected a compact JWS of 3 dot-separated parts, got 1"],
      ["a.b", /got 2$/],
      ["%%.e30.x", "malformed token: the header is not base64url"],
      [signJwt(rsa, good).slice(0, -4) + "AAAA", "token signature does not verify"],
      [signJwt(rsa, { ...good, exp: epochSeconds(-10) }), /^token expired at \d{4}-/],
      [signJwt(rsa, { ...good, nbf: epochSeconds(100) }), /^token is not valid before /],
      [
        signJwt(rsa, { ...good, iss: "https://evil.test/" }),
        'token issuer "https://evil.test/" is not accepted',
      ],
      [signJwt(rsa, { ...good, aud: ["x", "y"] }), 'token audience ["x","y"] is not accepted'],
      [signJwt(rsa, { sub: "ada", iss: good.iss, aud: "api" }), 'token has no "exp" claim'],
      [
        signJwt(rsa, good, { kid: "rotated-away" }),
        'no RS256 key with id "rotated-away" to verify the token with',
      ],
      [signJwt(rsa, good, { crit: ["b64"] }), /critical header parameters/],
      // "none" and algorithm confusion: an HS256 token "signed" with the RSA
      // public key as the HMAC secret must not verify against RSA keys.
      [
        `${btoa('{"alg":"none"}').replace(/=/g, "")}.${
          btoa(JSON.stringify(good)).replace(/=/g, "")
        }.`,
        /algorithm "none" is not accepted/,
      ],
      [
        signJwt(hmacKey(JSON.stringify(rsa.jwk), "rsa-1"), good),
        'no HS256 key with id "rsa-1" to verify the token with',
      ],
    ];
    for (const [token, expected] of cases) {
      const error = await rejection(verify(token));
      assert.equal(error.code, Code.UNAUTHENTICATED, String(expected));
      if (typeof expected === "string") assert.equal(error.rawMessage, expected);
      else assert.match(error.rawMessage, expected);
    }
  });

  test("only the configured algorithms are accepted", async () => {
    const verify = createJwtVerifier({ keys: [rsa.jwk, ec.jwk], algorithms: ["ES256"] });
    assert.match(
      (await rejection(verify(signJwt(rsa, good)))).rawMessage,
      /algorithm "RS256" is not accepted \(accepted: ES256\)/,
    );
    assert.equal((await verify(signJwt(ec, good))).sub, "ada");
  });

  test("a JWKS URL is fetched once, cached, refetched for a new kid at most once per interval", async () => {
    let now = 1_700_000_000_000;
    const rotated = asymmetricKey("ES256", "ec-2");
    let served = [rsa.jwk];
    const fetched: string[] = [];
    const verify = createJwtVerifier({
      jwksUrl: "https://auth.test/.well-known/jwks.json",
      jwksCacheMs: 60_000,
      jwksRefetchMs: 10_000,
      currentTime: () => now,
      fetch: (url) => {
        fetched.push(url);
        return Promise.resolve(Response.json({ keys: served }));
      },
    });
    const claims = { sub: "ada", exp: Math.floor(now / 1000) + 3600 };
    await Promise.all([verify(signJwt(rsa, claims)), verify(signJwt(rsa, claims))]);
    assert.equal(fetched.length, 1, "concurrent first calls share one fetch");
    await verify(signJwt(rsa, claims));
    assert.equal(fetched.length, 1);

    // A token with a kid the cache lacks: refetched, but not again within 10 s.
    served = [rsa.jwk, rotated.jwk];
    now += 10_000;
    assert.equal((await verify(signJwt(rotated, claims))).sub, "ada");
    assert.equal(fetched.length, 2);
    const unknown = asymmetricKey("ES256", "ec-unknown");
    await rejection(verify(signJwt(unknown, claims)));
    await rejection(verify(signJwt(unknown, claims)));
    assert.equal(fetched.length, 2, "unknown kids do not hammer the JWKS endpoint");
    now += 60_000;
    await verify(signJwt(rsa, claims));
    assert.equal(fetched.length, 3, "the cache expires");
  });

  test("a JWKS that cannot be fetched is UNAVAILABLE, naming the URL", async () => {
    const verify = createJwtVerifier({
      jwksUrl: "https://auth.test/jwks",
      fetch: () => Promise.resolve(new Response("nope", { status: 503 })),
    });
    const error = await rejection(verify(signJwt(rsa, good)));
    assert.equal(error.code, Code.UNAVAILABLE);
    assert.equal(
      error.rawMessage,
      "cannot verify tokens: fetching the JWKS from https://auth.test/jwks failed: HTTP 503",
    );
  });

  test("options are validated", () => {
    assert.throws(() => createJwtVerifier({}), /give a secret, keys or a jwksUrl/);
    assert.throws(
      () => createJwtVerifier({ jwksUrl: "not a url" }),
      /invalid JWT verifier option "jwksUrl"/,
    );
    assert.throws(
      () => createJwtVerifier({ keys: [{ kty: "OKP", crv: "Ed25519", x: "AA" }] }),
      /invalid JWT verifier option "keys.0": not an HS256, RS256 or ES256 key \(kty "OKP"\)/,
    );
  });
});

describe("server auth", () => {
  const key = asymmetricKey("ES256", "k1");
  const token = (claims: Record<string, unknown>) =>
    signJwt(key, { exp: epochSeconds(600), ...claims });
  const auth: ServerAuthOptions = {
    verifyToken: createJwtVerifier({ keys: [key.jwk] }),
    rules: {
      "/wirecall.demo.v1.DemoService/Countdown": "public",
      "/wirecall.demo.v1.DemoService/Sum": { scopes: ["sum", "write"] },
      "/wirecall.demo.v1.DemoService/Chat": (p) => p.subject.startsWith("admin-"),
    },
  };
  const withToken = (t: string) => ({ metadata: { authorization: `Bearer ${t}` } });

  test("a valid token reaches the handler, which reads the principal", async () => {
    const { router, seen } = echoServer(auth);
    const client = createClient(DemoService, createLoopbackTransport(router));
    const res = await client.greet({}, withToken(token({ sub: "ada", scope: "read sum" })));
    assert.equal(res.greeting, "hi ada");
    assert.deepEqual(seen[0].principal?.scopes, ["read", "sum"]);
    assert.equal(seen[0].principal?.via, "bearer");
  });

  test("no token, a bad token, another scheme: UNAUTHENTICATED with the reason", async () => {
    const { router, seen } = echoServer(auth);
    const client = createClient(DemoService, createLoopbackTransport(router));
    const none = await rejection(client.greet({}));
    assert.equal(none.code, Code.UNAUTHENTICATED);
    assert.equal(
      none.rawMessage,
      '/wirecall.demo.v1.DemoService/Greet needs credentials: send "authorization: Bearer <token>"',
    );
    const expired = await rejection(
      client.greet({}, withToken(token({ exp: epochSeconds(-120) }))),
    );
    assert.equal(expired.code, Code.UNAUTHENTICATED);
    assert.match(expired.rawMessage, /^token expired at /);
    const basic = await rejection(client.greet({}, { metadata: { authorization: "Basic YTpi" } }));
    assert.equal(basic.rawMessage, "the authorization header is not a Bearer token");
    assert.equal(seen.length, 0, "no handler ran");
  });

  test("per-method rules: public, scopes and a function; refusals are PERMISSION_DENIED", async () => {
    const { router } = echoServer(auth);
    const client = createClient(DemoService, createLoopbackTransport(router));
    assert.deepEqual((await collect(client.countdown({ from: 2 }))).map((m) => m.number), [2, 1]);

    const partial = await rejection(
      client.sum(from({ value: 1n }), withToken(token({ sub: "bob", scp: ["sum"] }))),
    );
    assert.equal(partial.code, Code.PERMISSION_DENIED);
    assert.equal(
      partial.rawMessage,
      '/wirecall.demo.v1.DemoService/Sum needs scope "write", which bob does not have',
    );
    const ok = await client.sum(
      from({ value: 2n }),
      withToken(token({ sub: "bob", scope: "sum write" })),
    );
    assert.equal(ok.total, 2n);

    const denied = await rejection(
      collect(client.chat(from({ text: "x" }), withToken(token({ sub: "bob" })))),
    );
    assert.equal(denied.code, Code.PERMISSION_DENIED);
    assert.equal(denied.rawMessage, "bob may not call /wirecall.demo.v1.DemoService/Chat");
    const admin = await collect(
      client.chat(from({ text: "x" }), withToken(token({ sub: "admin-1" }))),
    );
    assert.equal(admin.length, 1);
  });

  test("the client interceptor and the server hook work together end to end", async () => {
    const { router } = echoServer(auth);
    const client = createClient(DemoService, createLoopbackTransport(router), {
      interceptors: [createBearerAuth({ refresh: () => Promise.resolve(token({ sub: "svc" })) })],
    });
    assert.equal((await client.greet({})).greeting, "hi svc");
  });

  test("options are validated", () => {
    assert.throws(
      () => createServerAuth({}),
      /give verifyToken, authenticate or allowCertificates/,
    );
    assert.throws(
      () => createServerAuth({ allowCertificates: true, rules: { "*": "nobody" as never } }),
      /invalid server auth option "rules.\*"/,
    );
  });

  describe("mutual TLS: the peer identity in the same hook", () => {
    let certs: TestCertificates;
    before(() => {
      certs = generateTestCertificates();
    });
    after(() => rmSync(certs.dir, { recursive: true, force: true }));

    test("a verified client certificate is the principal; the hook sees ctx.peer", async () => {
      const peers: unknown[] = [];
      const { router, seen } = echoServer({
        allowCertificates: true,
        verifyToken: createJwtVerifier({ keys: [key.jwk] }),
        rules: {
          "/wirecall.demo.v1.DemoService/Sum": (p, call) => {
            peers.push(call.peer.certificate);
            return p.via === "certificate";
          },
        },
      });
      const server = createHttp2Server(router, {
        tls: { cert: certs.cert, key: certs.key, ca: certs.ca, requestCert: true },
      });
      await server.listen({ host: "127.0.0.1", port: 0 });
      const transport = createHttp2Transport({
        baseUrl: `https://localhost:${server.port}`,
        tls: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey },
      });
      try {
        const client = createClient(DemoService, transport);
        assert.equal(
          (await client.greet({}, { timeoutMs: 10_000 })).greeting,
          "hi wirecall test client",
        );
        assert.equal(seen[0].principal?.via, "certificate");
        assert.equal((await client.sum(from({ value: 3n }), { timeoutMs: 10_000 })).total, 3n);
        assert.equal(peers.length, 1);
        // A token, when sent, is the identity the hook gets first.
        const res = await client.greet({}, {
          timeoutMs: 10_000,
          ...withToken(token({ sub: "ada" })),
        });
        assert.equal(res.greeting, "hi ada");
      } finally {
        await transport.close();
        await server.close({ graceMs: 100 });
      }
    });
  });
});
