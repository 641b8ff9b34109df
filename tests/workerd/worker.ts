// A workerd worker for the edge suite (bundled by tests/workerd/workerd.suite.ts):
// it serves DemoService over gRPC-Web, and at /call-out it runs the gRPC-Web
// client inside workerd against the server named by the UPSTREAM binding.
import {
  authOf,
  Code,
  createClient,
  createJwtVerifier,
  createRouter,
  createServerAuth,
  RpcError,
} from "wirecall";
import { createGrpcWebHandler, createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { createConnectHandler } from "wirecall/transports/connect";
import { createRestHandler } from "wirecall/transports/rest";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../../examples/demo/demo-service.ts";

const router = createRouter().service(DemoService, {
  greet(req, ctx) {
    if (req.name === "") {
      throw new RpcError(Code.INVALID_ARGUMENT, "name is required", {
        details: [{ desc: DurationSchema, value: { seconds: 4n } }],
      });
    }
    if (req.name === "wait") {
      return new Promise((_, reject) => {
        ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason));
      });
    }
    ctx.responseHeader.set("x-runtime", "workerd");
    return { greeting: `Hello from workerd, ${req.name}!` };
  },
  countdown: demoServiceImpl.countdown,
  sum: demoServiceImpl.sum,
});
// gRPC-Web, Connect and REST on the same routes.
const handler = createGrpcWebHandler(router, {
  cors: { allowedOrigins: ["http://page.test"], exposeHeaders: ["x-runtime"] },
  protocols: [createConnectHandler(router), createRestHandler(router)],
});

async function outcome<T>(
  run: () => Promise<T>,
): Promise<{ ok: T } | { code: number; message: string }> {
  try {
    return { ok: await run() };
  } catch (e) {
    const err = RpcError.from(e);
    return { code: err.code, message: err.rawMessage };
  }
}

async function callOut(upstream: string): Promise<Response> {
  const client = createClient(DemoService, createGrpcWebTransport({ baseUrl: upstream }));
  const text = createClient(
    DemoService,
    createGrpcWebTransport({ baseUrl: upstream, format: "text" }),
  );
  const results = {
    unary: await outcome(async () => (await client.greet({ name: "edge" })).greeting),
    serverStream: await outcome(async () => {
      const numbers: number[] = [];
      for await (const m of client.countdown({ from: 3 })) numbers.push(m.number);
      return numbers;
    }),
    text: await outcome(async () => (await text.greet({ name: "edge-text" })).greeting),
    error: await outcome(async () => {
      for await (const _ of client.countdown({ from: -1 })) {
        // The upstream fails this stream before any message.
      }
    }),
    clientStream: await outcome(() =>
      client.sum((async function* () {
        yield { value: 1n };
      })())
    ),
    bidi: await outcome(async () => {
      for await (const _ of client.chat((async function* () {})())) {
        // Never reached: bidi is refused.
      }
    }),
  };
  return Response.json(results);
}

/**
 * POST /verify-jwt {secret?, jwksUrl?, audience?, tokens}: the JWT verifier
 * on workerd's WebCrypto, one result per token.
 */
async function verifyJwts(request: Request): Promise<Response> {
  const body = await request.json() as {
    secret?: string;
    jwksUrl?: string;
    audience?: string;
    tokens: string[];
  };
  const verify = createJwtVerifier({
    secret: body.secret,
    jwksUrl: body.jwksUrl,
    audience: body.audience,
  });
  const results = [];
  for (const token of body.tokens) {
    results.push(await outcome(async () => (await verify(token)).sub));
  }
  return Response.json(results);
}

/**
 * Under /secure: DemoService.Greet behind bearer auth, its tokens checked
 * against the JWKS the upstream serves at /jwks.json.
 */
let secure: ((request: Request) => Promise<Response>) | undefined;
function secureHandler(upstream: string) {
  secure ??= createGrpcWebHandler(
    createRouter({
      interceptors: [
        createServerAuth({
          verifyToken: createJwtVerifier({ jwksUrl: `${upstream}/jwks.json`, audience: "edge" }),
        }),
      ],
    }).service(DemoService, {
      greet: (_req, ctx) => ({ greeting: `Hello from workerd, ${authOf(ctx)?.subject}!` }),
    }),
    { pathPrefix: "/secure" },
  );
  return secure;
}

export default {
  fetch(request: Request, env: { UPSTREAM: string }): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (path === "/call-out") return callOut(env.UPSTREAM);
    if (path === "/verify-jwt") return verifyJwts(request);
    if (path.startsWith("/secure/")) return secureHandler(env.UPSTREAM)(request);
    return handler(request);
  },
};
