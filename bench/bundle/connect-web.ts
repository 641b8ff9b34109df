/**
 * Browser bundle entry: the same BenchService client over Connect's
 * gRPC-Web transport (`@connectrpc/connect-web` + `@bufbuild/protobuf`).
 *
 * @module
 */
import { createClient } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";

const client = createClient(BenchService, createGrpcWebTransport({ baseUrl: location.origin }));
const reply = await client.unary({ body: new Uint8Array(64) });
for await (const p of client.serverStream({ count: 3, size: 8 })) console.log(p.body.length);
console.log(reply.body.length);
