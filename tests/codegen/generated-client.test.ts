// The generated companions work with wirecall's core: a server implemented
// as `DemoServiceImpl` answers a client made by `createDemoServiceClient`.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { createRouter } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import {
  createDemoServiceClient,
  type DemoServiceImpl,
} from "../../protos/gen/wirecall/demo/v1/demo_wirecall.ts";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../../examples/demo/demo-service.ts";

describe("generated client and server types", () => {
  test("a DemoServiceImpl served by the router answers a generated client", async () => {
    const impl: DemoServiceImpl = {
      ...demoServiceImpl,
      greet: (req) => ({ greeting: `hello ${req.name}` }),
    };
    const client = createDemoServiceClient(
      createLoopbackTransport(createRouter().service(DemoService, impl)),
    );
    const res = await client.greet({ name: "codegen" });
    assert.equal(res.greeting, "hello codegen");
    const numbers: number[] = [];
    for await (const r of client.countdown({ from: 3 })) numbers.push(r.number);
    assert.deepEqual(numbers, [3, 2, 1]);
  });
});
