import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { create } from "@bufbuild/protobuf";
import {
  addReflection,
  Code,
  createClient,
  HealthRegistry,
  HealthService,
  ServingStatus,
} from "wirecall";
import { MessageQueue } from "wirecall/protocol";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import {
  ServerReflection,
  type ServerReflectionResponse,
} from "../src/gen/grpc/reflection/v1/reflection_pb.ts";
import { ServerReflection as ServerReflectionAlpha } from "../src/gen/grpc/reflection/v1alpha/reflection_pb.ts";
import { demoRouter, rejection } from "./support/demo-router.ts";

describe("health and reflection services", () => {
  test("Check answers the status that was set, and NOT_FOUND for an unknown service", async () => {
    const health = new HealthRegistry();
    const { router } = demoRouter();
    router.service(HealthService, health.impl);
    health.setStatus("wirecall.demo.v1.DemoService", "NOT_SERVING");
    const client = createClient(HealthService, createLoopbackTransport(router));
    assert.equal((await client.check({ service: "" })).status, ServingStatus.SERVING);
    assert.equal(
      (await client.check({ service: "wirecall.demo.v1.DemoService" })).status,
      ServingStatus.NOT_SERVING,
    );
    assert.equal((await rejection(client.check({ service: "nope" }))).code, Code.NOT_FOUND);
    const list = await client.list({});
    assert.deepEqual(Object.keys(list.statuses).sort(), ["", "wirecall.demo.v1.DemoService"]);
  });

  test("Watch streams the current status, then every change", async () => {
    const health = new HealthRegistry({});
    const { router } = demoRouter();
    router.service(HealthService, health.impl);
    const client = createClient(HealthService, createLoopbackTransport(router));
    const seen: number[] = [];
    const controller = new AbortController();
    const watching = (async () => {
      try {
        for await (const r of client.watch({ service: "svc" }, { signal: controller.signal })) {
          seen.push(r.status);
          if (seen.length === 1) health.setStatus("svc", "SERVING");
          if (seen.length === 2) health.setStatus("svc", "NOT_SERVING");
          if (seen.length === 3) controller.abort();
        }
      } catch (e) {
        if ((e as { code?: number }).code !== Code.CANCELLED) throw e;
      }
    })();
    await watching;
    assert.deepEqual(seen, [
      ServingStatus.SERVICE_UNKNOWN,
      ServingStatus.SERVING,
      ServingStatus.NOT_SERVING,
    ]);
  });

  for (
    const [version, service] of [["v1", ServerReflection], [
      "v1alpha",
      ServerReflectionAlpha,
    ]] as const
  ) {
    test(`reflection ${version} lists services and returns schemas that resolve the demo service`, async () => {
      const { router } = demoRouter();
      addReflection(router);
      const client = createClient(
        service as typeof ServerReflection,
        createLoopbackTransport(router),
      );
      const requests = new MessageQueue<Record<string, unknown>>();
      const responses = client.serverReflectionInfo(requests as never)[Symbol.asyncIterator]();
      requests.push({ host: "h", messageRequest: { case: "listServices", value: "" } });
      const list = (await responses.next()).value as ServerReflectionResponse;
      assert.equal(list.messageResponse.case, "listServicesResponse");
      const names = list.messageResponse.case === "listServicesResponse"
        ? list.messageResponse.value.service.map((s) => s.name)
        : [];
      assert.ok(names.includes("wirecall.demo.v1.DemoService"));
      assert.ok(names.includes(`grpc.reflection.${version}.ServerReflection`));

      requests.push({
        messageRequest: {
          case: "fileContainingSymbol",
          value: "wirecall.demo.v1.DemoService.Greet",
        },
      });
      const files = (await responses.next()).value as ServerReflectionResponse;
      assert.equal(files.messageResponse.case, "fileDescriptorResponse");
      const protos = files.messageResponse.case === "fileDescriptorResponse"
        ? files.messageResponse.value.fileDescriptorProto.map((b) =>
          fromBinary(FileDescriptorProtoSchema, b)
        )
        : [];
      const registry = createFileRegistry(
        create(FileDescriptorSetSchema, { file: protos.reverse() }),
      );
      assert.equal(registry.getService("wirecall.demo.v1.DemoService")?.methods.length, 4);

      // By the file's real name, as grpcurl and grpc-reflection-js ask.
      requests.push({
        messageRequest: { case: "fileByFilename", value: "wirecall/demo/v1/demo.proto" },
      });
      const byName = (await responses.next()).value as ServerReflectionResponse;
      assert.equal(byName.messageResponse.case, "fileDescriptorResponse");
      const first = byName.messageResponse.case === "fileDescriptorResponse"
        ? fromBinary(FileDescriptorProtoSchema, byName.messageResponse.value.fileDescriptorProto[0])
        : undefined;
      assert.equal(first?.name, "wirecall/demo/v1/demo.proto");

      requests.push({ messageRequest: { case: "fileByFilename", value: "missing.proto" } });
      const missing = (await responses.next()).value as ServerReflectionResponse;
      assert.equal(missing.messageResponse.case, "errorResponse");
      assert.equal(
        missing.messageResponse.case === "errorResponse" && missing.messageResponse.value.errorCode,
        Code.NOT_FOUND,
      );
      requests.close();
      assert.equal((await responses.next()).done, true);
    });
  }
});
