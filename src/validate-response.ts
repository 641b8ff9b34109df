import { Code } from "./code.ts";
import { builtinCompressions, type Compression, compressionFor, identity } from "./compression.ts";
import { codeFromHttpStatus } from "./http-status.ts";
import { RpcError } from "./rpc-error.ts";
import { readTrailerStatus } from "./trailer-status.ts";
import type { HeaderLookup } from "./validate-request.ts";

/** Header fields in order, as `[name, value]` pairs. */
export type HeaderEntries = Iterable<readonly [string, string | string[] | undefined]>;

/** What a response's headers say about the rest of the call. */
export interface ResponseHead {
  /** The compression of flagged response messages. */
  compression: Compression;
  /**
   * Set when the headers already decide the call: a trailers-only answer
   * (`undefined` inside means OK) or an error derived from the HTTP status,
   * the content type or the encoding.
   */
  outcome?: { error: RpcError | undefined };
}

/** What a protocol of the gRPC family expects of a response's head. */
export interface ResponseRules {
  /** Whether a content type is one of the protocol's. */
  isContentType(value: string | undefined): boolean;
  /** The protocol's content type, as an error names it (`"application/grpc"`). */
  readonly contentType: string;
  /** The encodings the client can decompress (default: gzip and identity). */
  readonly compressions?: ReadonlyMap<string, Compression>;
}

/**
 * Checks the head of a gRPC or gRPC-Web response on the client, the same
 * way for every transport, as gRPC's HTTP/2 protocol asks:
 *
 * - a `grpc-status` in the headers makes them a trailers-only answer, whose
 *   status is the call's, whatever the HTTP status;
 * - an HTTP status other than 200 without one maps to a code
 *   (`codeFromHttpStatus`: 404 is `UNIMPLEMENTED`, 503 `UNAVAILABLE`, …);
 * - a 200 without the protocol's content type is `UNKNOWN`;
 * - an unsupported `grpc-encoding` is `INTERNAL`.
 *
 * `fields` lists the headers (read only for the metadata of an error);
 * `target` names the call in errors (a URL or a method path).
 *
 * @example
 * ```ts
 * import { validateResponse } from "wirecall/protocol";
 * const rules = { isContentType: (v?: string) => v === "application/grpc", contentType: "application/grpc" };
 * validateResponse(503, () => undefined, () => [], rules, "/pkg.Service/Method").outcome?.error?.code; // Code.UNAVAILABLE
 * ```
 */
export function validateResponse(
  httpStatus: number,
  get: HeaderLookup,
  fields: () => HeaderEntries,
  rules: ResponseRules,
  target: string,
): ResponseHead {
  if (get("grpc-status") !== undefined) {
    return {
      compression: identity,
      outcome: { error: statusFromTrailers(get, fields(), httpStatus) },
    };
  }
  const type = get("content-type");
  if (httpStatus !== 200) {
    const error = new RpcError(
      codeFromHttpStatus(httpStatus),
      `${target} answered HTTP ${httpStatus} without a grpc-status (content-type: ${
        type ?? "none"
      })`,
    );
    return { compression: identity, outcome: { error } };
  }
  if (!rules.isContentType(type)) {
    const error = new RpcError(
      Code.UNKNOWN,
      `${target} answered with content-type ${
        JSON.stringify(type ?? "")
      }, not ${rules.contentType}`,
    );
    return { compression: identity, outcome: { error } };
  }
  try {
    return {
      compression: compressionFor(get("grpc-encoding"), rules.compressions ?? builtinCompressions),
    };
  } catch (e) {
    const error = new RpcError(Code.INTERNAL, `${target}: ${(e as RpcError).rawMessage}`);
    return { compression: identity, outcome: { error } };
  }
}

/**
 * The status of a call from its trailers (HTTP/2 trailers, a gRPC-Web
 * trailer frame): `undefined` for OK, the error otherwise. Trailers without
 * `grpc-status` are `INTERNAL` after an HTTP 200, else the code of the HTTP
 * status.
 *
 * @example
 * ```ts
 * import { statusFromTrailers } from "wirecall/protocol";
 * statusFromTrailers(() => undefined, [], 200)?.code; // Code.INTERNAL
 * ```
 */
export function statusFromTrailers(
  get: HeaderLookup,
  fields: HeaderEntries,
  httpStatus: number,
): RpcError | undefined {
  const status = readTrailerStatus(get, fields);
  if (status !== null) return status;
  return new RpcError(
    httpStatus === 200 ? Code.INTERNAL : codeFromHttpStatus(httpStatus),
    `the server ended the call without a grpc-status (HTTP ${httpStatus})`,
  );
}
