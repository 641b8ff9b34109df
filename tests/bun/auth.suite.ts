// Run by scripts/test-runtimes.mjs with `bun test`: the JWT verifier on
// Bun's WebCrypto (HS256, RS256, ES256, a JWKS fetched from a Bun.serve
// server), and bearer auth end to end over the gRPC-Web handler under
// Bun.serve. Tokens are signed with node:crypto, not the code under test.
import { after, before, describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import {
  authOf,
  Code,
  createBearerAuth,
  createClient,
  createJwtVerifier,
  createRouter,
  createServerAuth,
} from "wirecall";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { rejection } from "../support/demo-router.ts";
import { asymmetricKey, epochSeconds, hmacKey, signJwt } from "../support/jwt-sign.ts";

interface BunServer {
  port: number;
  stop(closeActiveConnections?: boolean): Promise<void>;
}
declare const Bun: {
  version: string;
  serve(options: {
    port: number;
    hostname: string;
    fetch: (request: Request) => Response | Promise<Response>;
  }): BunServer;
};

describe(`auth under Bun ${Bun.version}`, () => {
  const rsa = asymmetricKey("RS256", "rsa");
  const ec = asymmetricKey("ES256", "ec");
  const hmac = hmacKey("bun shared secret");
  let jwksFetches = 0;
  let jwksServer: BunServer;
  let grpcServer: BunServer;

  before(() => {
    jwksServer = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () => {
        jwksFetches++;
        return Response.json({ keys: [rsa.jwk, ec.jwk] });
      },
    });
    const verify = createJwtVerifier({
      jwksUrl: `http://127.0.0.1:${jwksServer.port}/jwks.json`,
      audience: "bun-api",
    });
    const router = createRouter({
      interceptors: [createServerAuth({ verifyToken: verify })],
    }).service(DemoService, {
      greet: (_req, ctx) => ({ greeting: `Hello, ${authOf(ctx)?.subject}!` }),
    });
    grpcServer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: createGrpcWebHandler(router) });
  });
  after(async () => {
    await grpcServer.stop(true);
    await jwksServer.stop(true);
  });

  test("HS256, RS256 and ES256 verify on Bun's WebCrypto; a tampered token does not", async () => {
    const verify = createJwtVerifier({ secret: "bun shared secret", keys: [rsa.jwk, ec.jwk] });
    for (const key of [hmac, rsa, ec]) {
      const claims = await verify(signJwt(key, { sub: key.alg, exp: epochSeconds(60) }));
      assert.equal(claims.sub, key.alg);
    }
    const token = signJwt(ec, { sub: "x", exp: epochSeconds(60) });
    const tampered = token.slice(0, token.lastIndexOf(".") + 1) + "A".repeat(86);
    assert.equal((await rejection(verify(tampered))).rawMessage, "token signature does not verify");
  });

  test("a bearer token from the client interceptor is verified against the JWKS over gRPC-Web", async () => {
    const client = createClient(
      DemoService,
      createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${grpcServer.port}` }),
      {
        interceptors: [
          createBearerAuth({
            refresh: () =>
              Promise.resolve(signJwt(rsa, { sub: "bun", aud: "bun-api", exp: epochSeconds(60) })),
          }),
        ],
      },
    );
    assert.equal((await client.greet({})).greeting, "Hello, bun!");
    assert.equal((await client.greet({})).greeting, "Hello, bun!");
    assert.equal(jwksFetches, 1);
    const anonymous = createClient(
      DemoService,
      createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${grpcServer.port}` }),
    );
    assert.equal((await rejection(anonymous.greet({}))).code, Code.UNAUTHENTICATED);
    const wrongAudience = await rejection(anonymous.greet({}, {
      metadata: { authorization: `Bearer ${signJwt(ec, { aud: "other", exp: epochSeconds(60) })}` },
    }));
    assert.equal(wrongAudience.code, Code.UNAUTHENTICATED);
    assert.equal(wrongAudience.rawMessage, 'token audience "other" is not accepted');
  });
});
