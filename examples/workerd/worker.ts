/**
 * An edge worker: DemoService over gRPC-Web as the `fetch` export that
 * workerd (Cloudflare's runtime) calls. Bundled and started by `run.ts`.
 *
 * @module
 */
import { createRouter } from "wirecall";
import { createGrpcWebHandler } from "wirecall/transports/grpc-web";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoServiceImpl } from "../demo/demo-service.ts";

const router = createRouter().service(DemoService, demoServiceImpl);

/** The worker: every request goes to the gRPC-Web handler. */
export default {
  fetch: createGrpcWebHandler(router, {
    cors: { allowedOrigins: "*", exposeHeaders: ["x-greeter"] },
  }),
};
