import { Code, type HandlerContext, RpcError, type ServiceImpl } from "wirecall";
import type { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** The demo service's implementation, shared by every transport in the demo. */
export const demoServiceImpl: ServiceImpl<typeof DemoService> = {
  greet(request, context: HandlerContext) {
    if (request.name === "") throw new RpcError(Code.INVALID_ARGUMENT, "name is required");
    context.responseHeader.set("x-greeter", "wirecall");
    return { greeting: `Hello, ${request.name}!` };
  },
  async *countdown(request) {
    for (let n = request.from; n > 0; n--) yield { number: n };
  },
  async sum(requests) {
    let total = 0n;
    let count = 0;
    for await (const r of requests) {
      total += r.value;
      count++;
    }
    return { total, count };
  },
  async *chat(messages) {
    for await (const m of messages) yield { from: "server", text: `echo: ${m.text}` };
  },
};
