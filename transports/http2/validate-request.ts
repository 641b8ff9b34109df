import {
  Code,
  type Compression,
  compressionFor,
  identity,
  negotiateResponseEncoding,
  parseGrpcTimeout,
  RpcError,
} from "../../mod.ts";
import { type HeaderFields, headerText } from "./validate-response.ts";

/** What a valid gRPC request's headers say about the call. */
export interface RequestHead {
  /** The request's content-type, echoed in the response. */
  contentType: string;
  /** `"proto"` or `"json"`. */
  contentSubtype: string;
  /** The `grpc-timeout` in ms, or undefined. */
  timeoutMs: number | undefined;
  /** The compression of flagged request messages. */
  requestCompression: Compression;
  /** The compression for response messages. */
  responseCompression: Compression;
}

/** Why a request was refused before reaching the router. */
export interface RequestRejection {
  /** The HTTP status to answer with. */
  httpStatus: number;
  /** The gRPC status sent along (as a trailers-only answer). */
  error: RpcError;
  /** Extra response headers, such as `grpc-accept-encoding` or `allow`. */
  headers?: Record<string, string>;
}

const grpcType = /^application\/grpc(?:\+([a-z0-9.-]+))?(?:;.*)?$/i;

/**
 * Tells whether a content-type is native gRPC (`application/grpc`, with an
 * optional `+subtype` or parameters) rather than gRPC-Web or anything else.
 */
export function isGrpcContentType(type: string | undefined): boolean {
  return type !== undefined && grpcType.test(type);
}

/**
 * Validates the headers of a native gRPC request: `POST` (else HTTP 405),
 * a gRPC content-type of a supported subtype (else HTTP 415), `te: trailers`
 * (else HTTP 400), a well-formed `grpc-timeout` (else `INTERNAL`), and a
 * supported `grpc-encoding` (else `UNIMPLEMENTED`, naming what is accepted).
 * Responses are compressed like the request, or with `sendCompression` when
 * the client accepts it; otherwise not.
 * Each refusal carries the gRPC code mapped from its HTTP status.
 *
 * @example
 * ```ts
 * import { validateRequestHeader } from "wirecall/transports/http2";
 * const r = validateRequestHeader({ ":method": "POST", "content-type": "text/plain" }, new Map());
 * "httpStatus" in r && r.httpStatus; // 415
 * ```
 */
export function validateRequestHeader(
  fields: HeaderFields,
  compressions: ReadonlyMap<string, Compression>,
  sendCompression: Compression = identity,
): RequestHead | RequestRejection {
  const method = headerText(fields, ":method");
  if (method !== "POST") {
    return {
      httpStatus: 405,
      error: new RpcError(Code.UNIMPLEMENTED, `gRPC requires POST, got ${method}`),
      headers: { allow: "POST" },
    };
  }
  const contentType = headerText(fields, "content-type");
  const match = contentType === undefined ? null : grpcType.exec(contentType);
  const subtype = match?.[1]?.toLowerCase() ?? "proto";
  if (match === null || (subtype !== "proto" && subtype !== "json")) {
    return {
      httpStatus: 415,
      error: new RpcError(
        Code.UNKNOWN,
        `unsupported content-type ${contentType ?? "(none)"}; ` +
          "use application/grpc, application/grpc+proto or application/grpc+json",
      ),
      headers: { "accept-post": "application/grpc, application/grpc+proto, application/grpc+json" },
    };
  }
  if (headerText(fields, "te") !== "trailers") {
    return {
      httpStatus: 400,
      error: new RpcError(Code.INTERNAL, 'gRPC requires the header "te: trailers"'),
    };
  }
  let timeoutMs: number | undefined;
  const timeout = headerText(fields, "grpc-timeout");
  if (timeout !== undefined) {
    timeoutMs = parseGrpcTimeout(timeout);
    if (timeoutMs === undefined) {
      return {
        httpStatus: 400,
        error: new RpcError(
          Code.INTERNAL,
          `malformed grpc-timeout "${timeout}": expected up to 8 digits and one of H M S m u n`,
        ),
      };
    }
  }
  const encoding = headerText(fields, "grpc-encoding");
  let requestCompression: Compression;
  try {
    requestCompression = compressionFor(encoding, compressions);
  } catch (e) {
    return {
      httpStatus: 200,
      error: e as RpcError,
      headers: { "grpc-accept-encoding": [...compressions.keys()].join(", ") },
    };
  }
  return {
    contentType: contentType!,
    contentSubtype: subtype,
    timeoutMs,
    requestCompression,
    responseCompression: requestCompression !== identity || sendCompression !== identity
      ? negotiateResponseEncoding(
        encoding,
        headerText(fields, "grpc-accept-encoding"),
        compressions,
      )
      : identity,
  };
}
