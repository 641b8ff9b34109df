// A gRPC health probe as Kubernetes sends it (grpc.health.v1.Health/Check
// from a gRPC client; here @grpc/grpc-js) against a wirecall HTTP/2 server:
// SERVING while up, NOT_SERVING once the application says so (as the
// scale-out example does on SIGTERM, before it drains).
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { createRouter, HealthRegistry, HealthService } from "wirecall";
import { createHttp2Server } from "wirecall/transports/http2";
import {
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthCheckResponseSchema,
} from "../../src/gen/grpc/health/v1/health_pb.ts";

function check(client: grpc.Client, service: string): Promise<number> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      "/grpc.health.v1.Health/Check",
      (m: Uint8Array) => Buffer.from(m),
      (b: Buffer) => fromBinary(HealthCheckResponseSchema, b).status,
      toBinary(HealthCheckRequestSchema, {
        $typeName: "grpc.health.v1.HealthCheckRequest",
        service,
      }),
      (err, status) => (err ? reject(err) : resolve(status!)),
    );
  });
}

describe("gRPC health probes", () => {
  test("a grpc-js Health/Check probe sees SERVING, then NOT_SERVING once set", async () => {
    const health = new HealthRegistry();
    const server = createHttp2Server(createRouter().service(HealthService, health.impl));
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      assert.equal(await check(client, ""), ServingStatus.SERVING);
      health.setStatus("", "NOT_SERVING");
      assert.equal(await check(client, ""), ServingStatus.NOT_SERVING);
    } finally {
      client.close();
      await server.close({ graceMs: 0 });
    }
  });
});
