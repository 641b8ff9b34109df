import { Code } from "./code.ts";
import {
  type Compression,
  compressionFor,
  identity,
  negotiateResponseEncoding,
} from "./compression.ts";
import { parseGrpcTimeout } from "./grpc-timeout.ts";
import { Metadata } from "./metadata.ts";
import { RpcError } from "./rpc-error.ts";
import { writeTrailerFields } from "./trailer-status.ts";

/** Reads one header of a request or response by its lower-case name. */
export type HeaderLookup = (name: string) => string | undefined;

/** What a protocol of the gRPC family (gRPC, gRPC-Web) asks of a request's head. */
export interface RequestRules<T extends { subtype: string }> {
  /**
   * Parses the request's content type as one of the protocol's (with a
   * supported message subtype, `"proto"` or `"json"`), or returns undefined.
   */
  parseContentType(value: string | undefined): T | undefined;
  /** The content types the protocol accepts, for `accept-post` on a refusal. */
  readonly contentTypes: string;
  /** The `allow` header of a refused method. */
  readonly allow: string;
  /**
   * Whether the request must carry `te: trailers`, as native gRPC over HTTP/2
   * asks (it detects proxies that drop trailers); gRPC-Web clients cannot
   * send it.
   */
  readonly requireTe: boolean;
  /** The encodings accepted on requests (and used on responses), by name. */
  readonly compressions: ReadonlyMap<string, Compression>;
  /**
   * Compress responses when the client accepts an encoding even though its
   * request was not compressed; otherwise responses are compressed only
   * like the request.
   */
  readonly compressResponses: boolean;
}

/** What a valid request's head says about the call. */
export interface RequestHead<T> {
  /** The parsed content type. */
  contentType: T;
  /** The `grpc-timeout` in ms, or undefined. */
  timeoutMs: number | undefined;
  /** The compression of flagged request messages. */
  requestCompression: Compression;
  /** The compression for response messages. */
  responseCompression: Compression;
  /** The client's `grpc-accept-encoding`, as sent. */
  acceptEncoding: string | undefined;
}

/** Why a request was refused before reaching the router; answered trailers-only. */
export interface RequestRejection {
  /** The HTTP status to answer with. */
  httpStatus: number;
  /** The gRPC status sent along, in the headers. */
  error: RpcError;
  /** Extra response headers, such as `grpc-accept-encoding` or `allow`. */
  headers: Record<string, string>;
}

/**
 * The value of `grpc-accept-encoding` for a set of encodings.
 *
 * @example
 * ```ts
 * import { builtinCompressions } from "wirecall";
 * import { acceptEncodingHeader } from "wirecall/protocol";
 * acceptEncodingHeader(builtinCompressions); // "gzip,identity"
 * ```
 */
export function acceptEncodingHeader(compressions: ReadonlyMap<string, Compression>): string {
  return [...compressions.keys()].join(",");
}

/**
 * The refusal of a request whose content type the server does not speak:
 * HTTP 415 and `INVALID_ARGUMENT`, as grpc-go answers it, with `accept-post`
 * listing `contentTypes`.
 */
export function refuseContentType(
  value: string | undefined,
  contentTypes: string,
): RequestRejection {
  return {
    httpStatus: 415,
    error: new RpcError(
      Code.INVALID_ARGUMENT,
      `unsupported content-type ${JSON.stringify(value ?? "")}`,
    ),
    headers: { "accept-post": contentTypes },
  };
}

/**
 * Writes the header fields of a refusal's trailers-only answer (without
 * `:status` and `content-type`): its extra headers, then the status.
 */
export function writeRejectionFields(
  rejection: RequestRejection,
  add: (key: string, value: string) => void,
): void {
  for (const key in rejection.headers) add(key, rejection.headers[key]);
  writeTrailerFields(rejection.error, new Metadata(), add);
}

/**
 * Checks the head of a gRPC or gRPC-Web request, the same way for every
 * transport, with the answers of gRPC's HTTP/2 protocol and grpc-go:
 *
 * - a method other than `POST`: HTTP 405, `INTERNAL`, with `allow`;
 * - a content type not of the protocol: HTTP 415, `INVALID_ARGUMENT`, with
 *   `accept-post` listing the accepted ones;
 * - no `te: trailers` where the protocol requires it: HTTP 400, `INTERNAL`;
 * - a malformed `grpc-timeout`: HTTP 400, `INTERNAL`;
 * - an unsupported `grpc-encoding`: HTTP 200, `UNIMPLEMENTED`, with
 *   `grpc-accept-encoding` naming the accepted ones (gRPC's compression
 *   spec).
 *
 * A refusal is answered trailers-only: its HTTP status, and the gRPC status
 * in the headers.
 *
 * @example
 * ```ts
 * import { builtinCompressions } from "wirecall";
 * import { validateRequest } from "wirecall/protocol";
 * const rules = {
 *   parseContentType: (v?: string) => v === "application/grpc" ? { subtype: "proto" } : undefined,
 *   contentTypes: "application/grpc",
 *   allow: "POST",
 *   requireTe: false,
 *   compressions: builtinCompressions,
 *   compressResponses: false,
 * };
 * const head = validateRequest("POST", (k) => k === "grpc-timeout" ? "12x" : undefined, rules);
 * "httpStatus" in head && head.httpStatus; // 400
 * ```
 */
export function validateRequest<T extends { subtype: string }>(
  method: string | undefined,
  get: HeaderLookup,
  rules: RequestRules<T>,
): RequestHead<T> | RequestRejection {
  if (method !== "POST") {
    return {
      httpStatus: 405,
      error: new RpcError(Code.INTERNAL, `gRPC requires POST, got ${method ?? "no method"}`),
      headers: { allow: rules.allow },
    };
  }
  const contentTypeText = get("content-type");
  const contentType = rules.parseContentType(contentTypeText);
  if (contentType === undefined) return refuseContentType(contentTypeText, rules.contentTypes);
  if (rules.requireTe && get("te") !== "trailers") {
    return {
      httpStatus: 400,
      error: new RpcError(Code.INTERNAL, 'gRPC requires the header "te: trailers"'),
      headers: {},
    };
  }
  const timeout = get("grpc-timeout");
  const timeoutMs = timeout === undefined ? undefined : parseGrpcTimeout(timeout);
  if (timeout !== undefined && timeoutMs === undefined) {
    return {
      httpStatus: 400,
      error: new RpcError(
        Code.INTERNAL,
        `malformed grpc-timeout ${
          JSON.stringify(timeout)
        }: expected up to 8 digits and one of H M S m u n`,
      ),
      headers: {},
    };
  }
  const encoding = get("grpc-encoding");
  let requestCompression: Compression;
  try {
    requestCompression = compressionFor(encoding, rules.compressions);
  } catch (e) {
    return {
      httpStatus: 200,
      error: e as RpcError,
      headers: { "grpc-accept-encoding": acceptEncodingHeader(rules.compressions) },
    };
  }
  const negotiate = rules.compressResponses || requestCompression !== identity;
  return {
    contentType,
    timeoutMs,
    requestCompression,
    acceptEncoding: get("grpc-accept-encoding"),
    responseCompression: negotiate
      ? negotiateResponseEncoding(encoding, get("grpc-accept-encoding"), rules.compressions)
      : identity,
  };
}
