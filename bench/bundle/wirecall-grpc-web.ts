/**
 * Browser bundle entry: a BenchService client over wirecall's gRPC-Web
 * transport, calling each method once — what an app ships.
 *
 * @module
 */
import { createClient } from "wirecall";
import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
import { BenchService } from "../../protos/gen/wirecall/bench/v1/bench_pb.ts";

const client = createClient(BenchService, createGrpcWebTransport({ baseUrl: location.origin }));
const reply = await client.unary({ body: new Uint8Array(64) });
for await (const p of client.serverStream({ count: 3, size: 8 })) console.log(p.body.length);
console.log(reply.body.length);
