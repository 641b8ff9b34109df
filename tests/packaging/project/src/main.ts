// A new user's program, as tests/packaging installs and runs it: serves the
// generated EchoService and calls it over the in-process loopback and over
// native gRPC on HTTP/2 (127.0.0.1), one unary and one server-streaming
// call each, plus one call that fails. Prints one JSON line per transport.
import { Code, codeName, createRouter, RpcError, type Transport } from "wirecall";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { createHttp2Server, createHttp2Transport } from "wirecall/transports/http2";
import { create } from "@bufbuild/protobuf";
import { EchoService, RepeatResponse_EchoSchema, Tone } from "./gen/echo/v1/echo_pb.ts";
import { createEchoServiceClient, type EchoServiceImpl } from "./gen/echo/v1/echo_wirecall.ts";

const impl: EchoServiceImpl = {
  say(req) {
    if (req.text === "") throw new RpcError(Code.INVALID_ARGUMENT, "text is required");
    return { text: req.tone === Tone.LOUD ? req.text.toUpperCase() : req.text };
  },
  async *repeat(req) {
    for (let index = 1; index <= req.count; index++) {
      yield { echo: create(RepeatResponse_EchoSchema, { text: req.text }), index };
    }
  },
};

/** One unary, one streaming and one failing call over `transport`. */
async function callOver(name: string, transport: Transport): Promise<void> {
  const client = createEchoServiceClient(transport);
  const say = await client.say({ text: "hello", tone: Tone.LOUD }, { timeoutMs: 5_000 });
  const repeat: string[] = [];
  for await (const r of client.repeat({ text: "ping", count: 3 })) {
    repeat.push(`${r.index}:${r.echo?.text ?? ""}`);
  }
  let error = "";
  try {
    await client.say({ text: "" });
  } catch (e) {
    error = e instanceof RpcError ? `${codeName(e.code)} ${e.rawMessage}` : String(e);
  }
  console.log(JSON.stringify({ transport: name, say: say.text, repeat, error }));
}

const router = createRouter().service(EchoService, impl);
await callOver("loopback", createLoopbackTransport(router));

const server = createHttp2Server(router);
const { port } = await server.listen({ port: 0, host: "127.0.0.1" });
const http2 = createHttp2Transport({ baseUrl: `http://127.0.0.1:${port}` });
try {
  await callOver("http2", http2);
} finally {
  await http2.close();
  await server.close();
}
