import { Code } from "./code.ts";
import { RpcError } from "./rpc-error.ts";

/**
 * A stream of exactly one message: how a unary request travels through the
 * streaming path of a transport.
 *
 * @example
 * ```ts
 * import { singleMessageStream } from "wirecall";
 * for await (const m of singleMessageStream(new Uint8Array([1]))) console.log(m);
 * ```
 */
export async function* singleMessageStream<T>(message: T): AsyncGenerator<T> {
  yield message;
}

/**
 * Reads the one response message of a call whose server answers with a
 * single message (unary, client streaming). Reading to the end is what
 * surfaces the call's status; none or more than one message is `INTERNAL`.
 *
 * @example
 * ```ts
 * import { readSingleMessage } from "wirecall";
 * async function* one() { yield new Uint8Array([8, 1]); }
 * await readSingleMessage(one(), "/pkg.Service/Method"); // Uint8Array [8, 1]
 * ```
 */
export async function readSingleMessage<T>(messages: AsyncIterable<T>, path: string): Promise<T> {
  let found = false;
  let message: T | undefined;
  for await (const m of messages) {
    if (found) throw new RpcError(Code.INTERNAL, `${path} answered with more than one message`);
    found = true;
    message = m;
  }
  if (!found) throw new RpcError(Code.INTERNAL, `${path} answered OK without a message`);
  return message as T;
}
