/**
 * The in-process loopback transport: a client and a router in one process
 * with the network's semantics — serialized messages, metadata through its
 * wire form, deadlines, cancellation both ways, trailers and status — and
 * optional fault injection for tests.
 *
 * @example
 * ```ts
 * import { createClient, createRouter } from "wirecall";
 * import { createLoopbackTransport } from "wirecall/transports/loopback";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const router = createRouter().service(DemoService, { greet: (r) => ({ greeting: r.name }) });
 * const client = createClient(DemoService, createLoopbackTransport(router));
 * ```
 *
 * @module
 */
export { createLoopbackTransport } from "./client-transport.ts";
export type { LoopbackFaults, LoopbackOptions } from "./client-options.ts";
