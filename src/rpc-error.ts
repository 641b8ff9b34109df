import {
  create,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import { type Any, anyIs, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code, codeName, isCode } from "./code.ts";
import { Metadata } from "./metadata.ts";

/** A detail to attach to an error: a message with its schema. */
export interface ErrorDetailInit<Desc extends DescMessage = DescMessage> {
  /** The schema of the detail message. */
  desc: Desc;
  /** The detail message, or the fields to create it from. */
  value: MessageInitShape<Desc>;
}

/** Options of {@link RpcError}. */
export interface RpcErrorOptions {
  /** Trailers to send with the error (or, on the client, the trailers received). */
  metadata?: Metadata;
  /** Detail messages, sent as `google.rpc.Status.details` in `grpc-status-details-bin`. */
  details?: ReadonlyArray<Any | ErrorDetailInit>;
  /** The underlying cause, kept for debugging; never sent to the peer. */
  cause?: unknown;
}

function isAny(value: unknown): value is Any {
  return typeof value === "object" && value !== null &&
    (value as { $typeName?: string }).$typeName === "google.protobuf.Any";
}

/**
 * The error of a gRPC call: a status code, a message, trailers as metadata,
 * and `google.rpc.Status` details. Handlers throw it to fail a call; clients
 * receive it when a call fails.
 *
 * @example
 * ```ts
 * import { Code, RpcError } from "wirecall";
 * throw new RpcError(Code.NOT_FOUND, "no user 42");
 * ```
 */
export class RpcError extends Error {
  /** The gRPC status code. */
  readonly code: Code;
  /** The status message as sent on the wire, without the code prefix. */
  readonly rawMessage: string;
  /** Trailers of the failed call. */
  readonly metadata: Metadata;
  /** Detail messages packed in `google.protobuf.Any`. */
  readonly details: Any[];

  /** Creates an error with a code, a message and optional metadata and details. */
  constructor(code: Code, message = "", options: RpcErrorOptions = {}) {
    super(message === "" ? `[${codeName(code)}]` : `[${codeName(code)}] ${message}`, {
      cause: options.cause,
    });
    this.name = "RpcError";
    this.code = isCode(code) ? code : Code.UNKNOWN;
    this.rawMessage = message;
    this.metadata = options.metadata ?? new Metadata();
    this.details = (options.details ?? []).map((d) =>
      isAny(d) ? d : anyPack(d.desc, create(d.desc, d.value))
    );
  }

  /**
   * Turns anything thrown into an `RpcError`: an `RpcError` is returned as is,
   * an `AbortSignal` reason of type `TimeoutError` becomes `DEADLINE_EXCEEDED`,
   * `AbortError` becomes `CANCELLED`, and anything else gets `code`.
   */
  static from(reason: unknown, code: Code = Code.UNKNOWN): RpcError {
    if (reason instanceof RpcError) return reason;
    if (reason instanceof Error || (typeof reason === "object" && reason !== null)) {
      const name = (reason as { name?: string }).name;
      const message = String((reason as { message?: string }).message ?? reason);
      if (name === "TimeoutError") {
        return new RpcError(Code.DEADLINE_EXCEEDED, message, { cause: reason });
      }
      if (name === "AbortError") return new RpcError(Code.CANCELLED, message, { cause: reason });
      return new RpcError(code, message, { cause: reason });
    }
    return new RpcError(code, String(reason), { cause: reason });
  }

  /**
   * Returns the details of the given type, unpacked.
   *
   * @example
   * ```ts
   * import { Code, RpcError } from "wirecall";
   * import { DurationSchema } from "@bufbuild/protobuf/wkt";
   * const e = new RpcError(Code.UNAVAILABLE, "later", {
   *   details: [{ desc: DurationSchema, value: { seconds: 5n } }],
   * });
   * e.findDetails(DurationSchema)[0].seconds; // 5n
   * ```
   */
  findDetails<Desc extends DescMessage>(desc: Desc): MessageShape<Desc>[] {
    const out: MessageShape<Desc>[] = [];
    for (const any of this.details) {
      if (!anyIs(any, desc)) continue;
      const value = anyUnpack(any, desc);
      if (value !== undefined) out.push(value);
    }
    return out;
  }
}
