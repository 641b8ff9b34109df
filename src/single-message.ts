import { Code } from "./code.ts";
import { firstTwoKey, hasFirstTwo } from "./first-two.ts";
import { RpcError } from "./rpc-error.ts";
import type {
  StreamTransportRequest,
  StreamTransportResponse,
  UnaryTransportRequest,
  UnaryTransportResponse,
} from "./transport.ts";

/**
 * A stream of exactly one message: how a single request travels through
 * the streaming path of a transport. A transport may read `message`
 * directly instead of iterating (a fast path for unary and server-streaming
 * requests).
 *
 * @example
 * ```ts
 * import { singleMessageStream } from "wirecall/protocol";
 * for await (const m of singleMessageStream(new Uint8Array([1]))) console.log(m);
 * ```
 */
export class SingleMessageStream<T> implements AsyncIterable<T> {
  /** The one message. */
  readonly message: T;

  /** A stream of `message` alone. */
  constructor(message: T) {
    this.message = message;
  }

  /** Yields the message, once. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    yield this.message;
  }
}

/** A stream of exactly one message (see {@link SingleMessageStream}). */
export function singleMessageStream<T>(message: T): SingleMessageStream<T> {
  return new SingleMessageStream(message);
}

/** Which side sent the messages a single-message read expects. */
export type MessageSide = "request" | "response";

function notOne(path: string, side: MessageSide, count: number | "more"): RpcError {
  if (side === "request") {
    return new RpcError(
      Code.INTERNAL,
      `${path} expects one request message, got ${count === 0 ? "none" : "more"}`,
    );
  }
  return new RpcError(
    Code.INTERNAL,
    count === 0
      ? `${path} answered OK without a message`
      : `${path} answered with ${
        count === "more" ? "more than one message" : `${count} messages`
      }, expected one`,
  );
}

/**
 * Reads the one message of a stream that must carry exactly one: a unary
 * or server-streaming request on the server, the response of a unary or
 * client-streaming call on the client. Reading to the end is what surfaces
 * the call's status; none or more than one message is `INTERNAL`.
 *
 * @example
 * ```ts
 * import { readSingleMessage } from "wirecall/protocol";
 * async function* one() { yield new Uint8Array([8, 1]); }
 * await readSingleMessage(one(), "/pkg.Service/Method"); // Uint8Array [8, 1]
 * ```
 */
export async function readSingleMessage<T>(
  messages: AsyncIterable<T>,
  path: string,
  side: MessageSide = "response",
): Promise<T> {
  if (messages instanceof SingleMessageStream) return messages.message;
  if (hasFirstTwo(messages)) {
    // A MessageQueue: one promise for the whole read rather than an iteration per message.
    const got = await messages[firstTwoKey]();
    if (got.length > 1) {
      await messages[Symbol.asyncIterator]().return?.();
      throw notOne(path, side, "more");
    }
    if (got.length === 0) throw notOne(path, side, 0);
    return got[0] as T;
  }
  let found = false;
  let message: T | undefined;
  for await (const m of messages) {
    if (found) throw notOne(path, side, "more");
    found = true;
    message = m;
  }
  if (!found) throw notOne(path, side, 0);
  return message as T;
}

/**
 * The one message of a list that must hold exactly one, as
 * {@link readSingleMessage} reads it from a stream.
 */
export function singleMessageOf<T>(messages: readonly T[], path: string, side: MessageSide): T {
  if (messages.length !== 1) throw notOne(path, side, messages.length);
  return messages[0];
}

/**
 * A transport's unary call made through its streaming call: the request as
 * a {@link SingleMessageStream}, the response read by
 * {@link readSingleMessage}. Transports whose wire carries both kinds alike
 * (gRPC-Web, loopback) implement `unary` with it.
 *
 * @example
 * ```ts
 * import type { Transport } from "wirecall";
 * import { unaryOverStream } from "wirecall/protocol";
 * declare const stream: Transport["stream"];
 * const transport: Transport = { stream, unary: unaryOverStream(stream) };
 * ```
 */
export function unaryOverStream(
  stream: (request: StreamTransportRequest) => Promise<StreamTransportResponse>,
): (request: UnaryTransportRequest) => Promise<UnaryTransportResponse> {
  return async (req) => {
    const res = await stream({ ...req, messages: new SingleMessageStream(req.message) });
    const message = await readSingleMessage(res.messages, req.method.path);
    return { header: res.header, message, trailer: res.trailer };
  };
}
