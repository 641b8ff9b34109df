// wirecall's reflection service (v1 and v1alpha) asked by an independent
// client: grpc-reflection-js from npm, on @grpc/grpc-js, over HTTP/2 against
// a wirecall server. It lists services, fetches files by symbol and by file
// name, and resolves every dependency of a file by its name (demo.proto
// imports google/api/annotations.proto, which imports http.proto and
// descriptor.proto), as grpcurl and Postman do.
//
// grpc-reflection-js speaks only grpc.reflection.v1alpha; for v1 the same
// client is handed a grpc-js stub on the v1 path with the library's own
// serializers (v1's messages are v1alpha's, field for field, under another
// package name).
import assert from "node:assert/strict";
import * as grpc from "@grpc/grpc-js";
import { Client } from "grpc-reflection-js";
import { ServerReflectionService } from "grpc-reflection-js/build/src/reflection_grpc_pb.js";
import { addReflection } from "wirecall";
import { createHttp2Server, type Http2Server } from "wirecall/transports/http2";
import { demoRouter } from "../support/demo-router.ts";
import { after, before, describe, test } from "../support/test.ts";

const V1_PATH = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";

/** A grpc-reflection-js client; for v1 its stub is replaced by one on the v1 path. */
function reflectionClient(version: "v1" | "v1alpha", address: string): Client {
  const client = new Client(address, grpc.credentials.createInsecure());
  if (version === "v1") {
    (client.grpcClient as unknown as grpc.Client).close();
    const V1 = grpc.makeGenericClientConstructor({
      serverReflectionInfo: { ...ServerReflectionService.serverReflectionInfo, path: V1_PATH },
    }, "ServerReflection");
    client.grpcClient = new V1(address, grpc.credentials.createInsecure()) as never;
  }
  return client;
}

describe("reflection asked by grpc-reflection-js (npm)", () => {
  let server: Http2Server;
  let address = "";
  before(async () => {
    const { router } = demoRouter();
    addReflection(router);
    server = createHttp2Server(router);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    address = `127.0.0.1:${port}`;
  });
  after(() => server.close({ graceMs: 100 }));

  for (const version of ["v1", "v1alpha"] as const) {
    test(`${version}: list services`, { timeout: 20_000 }, async () => {
      const client = reflectionClient(version, address);
      try {
        const names = await client.listServices();
        assert.ok(names.includes("wirecall.demo.v1.DemoService"), names.join(", "));
        assert.ok(names.includes("grpc.reflection.v1.ServerReflection"), names.join(", "));
        assert.ok(names.includes("grpc.reflection.v1alpha.ServerReflection"), names.join(", "));
      } finally {
        (client.grpcClient as unknown as grpc.Client).close();
      }
    });

    test(
      `${version}: file_by_filename resolves demo.proto and each import by its name`,
      { timeout: 20_000 },
      async () => {
        const client = reflectionClient(version, address);
        try {
          const root = await client.fileByFilename("wirecall/demo/v1/demo.proto");
          const service = root.lookupService("wirecall.demo.v1.DemoService");
          assert.deepEqual(Object.keys(service.methods).sort(), [
            "Chat",
            "Countdown",
            "Greet",
            "Sum",
          ]);
          const greet = service.methods.Greet;
          assert.equal(greet.resolvedRequestType?.fullName, ".wirecall.demo.v1.GreetRequest");
          assert.ok(root.lookupType("wirecall.demo.v1.GreetResponse").fields.greeting);
          // The imports came by file name too (the client asks for each
          // dependency the file lists).
          assert.ok(root.lookupType("google.api.HttpRule"));
          assert.ok(root.lookupType("google.protobuf.MethodOptions"));
          // A well-known file on its own.
          const descriptor = await client.fileByFilename("google/protobuf/descriptor.proto");
          assert.ok(descriptor.lookupType("google.protobuf.FileDescriptorProto"));
        } finally {
          (client.grpcClient as unknown as grpc.Client).close();
        }
      },
    );

    test(
      `${version}: file_by_filename of a missing file is refused`,
      { timeout: 20_000 },
      async () => {
        const client = reflectionClient(version, address);
        try {
          // grpc-reflection-js rejects on an error_response with an empty Error
          // (a gRPC status would carry a code: the call itself succeeded).
          await assert.rejects(
            client.fileByFilename("no/such/file.proto"),
            (e: Error & { code?: number }) => e.code === undefined && e.message === "",
          );
        } finally {
          (client.grpcClient as unknown as grpc.Client).close();
        }
      },
    );

    test(`${version}: file_containing_symbol for a service, a method and a message`, {
      timeout: 20_000,
    }, async () => {
      const client = reflectionClient(version, address);
      try {
        for (
          const symbol of [
            "wirecall.demo.v1.DemoService",
            "wirecall.demo.v1.DemoService.Greet",
            "wirecall.demo.v1.GreetRequest",
          ]
        ) {
          const root = await client.fileContainingSymbol(symbol);
          const service = root.lookupService("wirecall.demo.v1.DemoService");
          assert.equal(service.methods.Countdown.responseStream, true, symbol);
          assert.equal(service.methods.Sum.requestStream, true, symbol);
        }
        const reflection = await client.fileContainingSymbol(
          `grpc.reflection.${version}.ServerReflection`,
        );
        assert.ok(reflection.lookupService(`grpc.reflection.${version}.ServerReflection`));
      } finally {
        (client.grpcClient as unknown as grpc.Client).close();
      }
    });
  }
});
