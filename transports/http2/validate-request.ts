import { type Compression, identity } from "../../mod.ts";
import {
  type RequestHead,
  type RequestRejection,
  type RequestRules,
  validateRequest,
} from "../../protocol.ts";
import { GRPC_CONTENT_TYPES, type GrpcContentType, parseGrpcContentType } from "./content-type.ts";
import { type HeaderFields, headerText } from "./validate-response.ts";

/** What a valid native gRPC request's headers say about the call. */
export type Http2RequestHead = RequestHead<GrpcContentType>;

/**
 * The rules native gRPC over HTTP/2 applies to a request's head: a gRPC
 * content type, `te: trailers`, and the encodings in `compressions`;
 * responses are compressed like the request, or negotiated when
 * `sendCompression` is not identity.
 */
export function http2RequestRules(
  compressions: ReadonlyMap<string, Compression>,
  sendCompression: Compression = identity,
): RequestRules<GrpcContentType> {
  return {
    parseContentType: parseGrpcContentType,
    contentTypes: GRPC_CONTENT_TYPES,
    allow: "POST",
    requireTe: true,
    compressions,
    compressResponses: sendCompression !== identity,
  };
}

/**
 * Validates the headers of a native gRPC request with the core's
 * `validateRequest` (the same answers as every other transport): the
 * method, the content type, `te: trailers`, `grpc-timeout` and
 * `grpc-encoding`.
 *
 * @example
 * ```ts
 * import { builtinCompressions } from "wirecall";
 * import { http2RequestRules, validateRequestHeader } from "wirecall/transports/http2";
 * const rules = http2RequestRules(builtinCompressions);
 * const r = validateRequestHeader({ ":method": "POST", "content-type": "text/plain" }, rules);
 * "httpStatus" in r && r.httpStatus; // 415
 * ```
 */
export function validateRequestHeader(
  fields: HeaderFields,
  rules: RequestRules<GrpcContentType>,
): Http2RequestHead | RequestRejection {
  return validateRequest(headerText(fields, ":method"), (k) => headerText(fields, k), rules);
}
