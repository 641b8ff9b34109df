// Sends one gRPC-Web Greet over cleartext HTTP/2 (h2c) with node:http2 and
// returns what came back, for tests of servers that answer gRPC-Web on HTTP/2.
import { connect } from "node:http2";
import { create, toBinary } from "@bufbuild/protobuf";
import { encodeEnvelope } from "wirecall/protocol";
import { GreetRequestSchema } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { splitFrames } from "./in-memory.ts";

/** The answer: HTTP/2 response headers and the body split into `[flags, body]` frames. */
export interface H2cAnswer {
  headers: Record<string, unknown>;
  frames: Array<[number, Uint8Array]>;
}

/** Calls `Greet` on `baseUrl` (an `http://` URL) as a gRPC-Web client over h2c would. */
export async function greetOverH2c(baseUrl: string, name: string): Promise<H2cAnswer> {
  const session = connect(baseUrl);
  try {
    const stream = session.request({
      ":method": "POST",
      ":path": "/wirecall.demo.v1.DemoService/Greet",
      "content-type": "application/grpc-web+proto",
      "x-grpc-web": "1",
    });
    stream.end(
      encodeEnvelope(0, toBinary(GreetRequestSchema, create(GreetRequestSchema, { name }))),
    );
    const headers = await new Promise<Record<string, unknown>>((resolve) =>
      stream.once("response", resolve)
    );
    const chunks: Uint8Array[] = [];
    for await (const chunk of stream) chunks.push(chunk as Uint8Array);
    return { headers, frames: splitFrames(new Uint8Array(Buffer.concat(chunks))) };
  } finally {
    session.close();
  }
}
