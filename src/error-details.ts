import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { type Any, anyPack, anyUnpack } from "@bufbuild/protobuf/wkt";
import {
  type BadRequest,
  BadRequestSchema,
  type DebugInfo,
  DebugInfoSchema,
  type ErrorInfo,
  ErrorInfoSchema,
  type Help,
  HelpSchema,
  type LocalizedMessage,
  LocalizedMessageSchema,
  type PreconditionFailure,
  PreconditionFailureSchema,
  type QuotaFailure,
  QuotaFailureSchema,
  type RequestInfo,
  RequestInfoSchema,
  type ResourceInfo,
  ResourceInfoSchema,
  type RetryInfo,
  RetryInfoSchema,
} from "./gen/google/rpc/error_details_pb.ts";

/**
 * The standard `google.rpc` error details to attach to an error, by kind;
 * each as the fields of its message (or the message), or a list of them.
 */
export interface ErrorDetailsInit {
  /** `google.rpc.ErrorInfo`: a machine-readable reason in a domain. */
  errorInfo?:
    | MessageInitShape<typeof ErrorInfoSchema>
    | readonly MessageInitShape<typeof ErrorInfoSchema>[];
  /** `google.rpc.BadRequest`: which request fields were bad. */
  badRequest?:
    | MessageInitShape<typeof BadRequestSchema>
    | readonly MessageInitShape<typeof BadRequestSchema>[];
  /** `google.rpc.RetryInfo`: when to retry. */
  retryInfo?:
    | MessageInitShape<typeof RetryInfoSchema>
    | readonly MessageInitShape<typeof RetryInfoSchema>[];
  /** `google.rpc.DebugInfo`: a stack trace and detail for developers. */
  debugInfo?:
    | MessageInitShape<typeof DebugInfoSchema>
    | readonly MessageInitShape<typeof DebugInfoSchema>[];
  /** `google.rpc.QuotaFailure`: which quota checks failed. */
  quotaFailure?:
    | MessageInitShape<typeof QuotaFailureSchema>
    | readonly MessageInitShape<typeof QuotaFailureSchema>[];
  /** `google.rpc.PreconditionFailure`: which preconditions failed. */
  preconditionFailure?:
    | MessageInitShape<typeof PreconditionFailureSchema>
    | readonly MessageInitShape<typeof PreconditionFailureSchema>[];
  /** `google.rpc.ResourceInfo`: the resource concerned. */
  resourceInfo?:
    | MessageInitShape<typeof ResourceInfoSchema>
    | readonly MessageInitShape<typeof ResourceInfoSchema>[];
  /** `google.rpc.RequestInfo`: the request's id. */
  requestInfo?:
    | MessageInitShape<typeof RequestInfoSchema>
    | readonly MessageInitShape<typeof RequestInfoSchema>[];
  /** `google.rpc.Help`: links to documentation. */
  help?: MessageInitShape<typeof HelpSchema> | readonly MessageInitShape<typeof HelpSchema>[];
  /** `google.rpc.LocalizedMessage`: a message for the end user (one per locale). */
  localizedMessage?:
    | MessageInitShape<typeof LocalizedMessageSchema>
    | readonly MessageInitShape<typeof LocalizedMessageSchema>[];
}

/**
 * The standard `google.rpc` details found on an error: the first of each
 * kind (all of a kind with `error.findDetails(Schema)`), every localized
 * message, and the details of other types as they came.
 */
export interface ErrorDetails {
  /** The first `google.rpc.ErrorInfo`. */
  errorInfo?: ErrorInfo;
  /** The first `google.rpc.BadRequest`. */
  badRequest?: BadRequest;
  /** The first `google.rpc.RetryInfo`. */
  retryInfo?: RetryInfo;
  /** The first `google.rpc.DebugInfo`. */
  debugInfo?: DebugInfo;
  /** The first `google.rpc.QuotaFailure`. */
  quotaFailure?: QuotaFailure;
  /** The first `google.rpc.PreconditionFailure`. */
  preconditionFailure?: PreconditionFailure;
  /** The first `google.rpc.ResourceInfo`. */
  resourceInfo?: ResourceInfo;
  /** The first `google.rpc.RequestInfo`. */
  requestInfo?: RequestInfo;
  /** The first `google.rpc.Help`. */
  help?: Help;
  /** The first `google.rpc.LocalizedMessage`. */
  localizedMessage?: LocalizedMessage;
  /** Every `google.rpc.LocalizedMessage`, in order (one per locale). */
  localizedMessages: LocalizedMessage[];
  /** Details of other types, or standard ones whose bytes did not decode. */
  other: Any[];
}

type Kind = Exclude<keyof ErrorDetails, "localizedMessages" | "other">;

const kinds: ReadonlyArray<readonly [Kind, DescMessage]> = [
  ["errorInfo", ErrorInfoSchema],
  ["badRequest", BadRequestSchema],
  ["retryInfo", RetryInfoSchema],
  ["debugInfo", DebugInfoSchema],
  ["quotaFailure", QuotaFailureSchema],
  ["preconditionFailure", PreconditionFailureSchema],
  ["resourceInfo", ResourceInfoSchema],
  ["requestInfo", RequestInfoSchema],
  ["help", HelpSchema],
  ["localizedMessage", LocalizedMessageSchema],
];
let byTypeName: Map<string, readonly [Kind, DescMessage]> | undefined;
/** The standard kinds by type name, built on first use so unused code tree-shakes. */
const kindByTypeName = () =>
  byTypeName ??= new Map(kinds.map(([kind, desc]) => [desc.typeName, [kind, desc] as const]));

/**
 * Packs standard `google.rpc` error details into `google.protobuf.Any`s, in
 * the order of {@link ErrorDetailsInit}'s fields, for `RpcError`'s
 * `details` option. They travel in `grpc-status-details-bin` exactly as
 * grpc-go, grpc-java, C-core and grpc-js encode them.
 *
 * @example
 * ```ts
 * import { Code, packErrorDetails, RpcError } from "wirecall";
 * throw new RpcError(Code.INVALID_ARGUMENT, "bad email", {
 *   details: packErrorDetails({
 *     badRequest: { fieldViolations: [{ field: "email", description: "not an address" }] },
 *     errorInfo: { reason: "EMAIL_INVALID", domain: "users.example.com" },
 *     localizedMessage: { locale: "en-US", message: "Please check your email address." },
 *   }),
 * });
 * ```
 */
export function packErrorDetails(init: ErrorDetailsInit): Any[] {
  const out: Any[] = [];
  for (const [kind, desc] of kinds) {
    const value = init[kind];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      out.push(anyPack(desc, create(desc, v as MessageInitShape<DescMessage>)));
    }
  }
  return out;
}

/**
 * Reads the standard `google.rpc` details of an error in one call: from an
 * `RpcError` (its `details`), or from a list of `Any`s. Anything else has
 * no details. Details that are not standard, or whose bytes do not decode,
 * land in `other` rather than throwing.
 *
 * @example
 * ```ts
 * import { Code, packErrorDetails, readErrorDetails, RpcError } from "wirecall";
 * const error = new RpcError(Code.UNAVAILABLE, "busy", {
 *   details: packErrorDetails({ retryInfo: { retryDelay: { seconds: 2n } } }),
 * });
 * readErrorDetails(error).retryInfo?.retryDelay?.seconds; // 2n
 * ```
 */
export function readErrorDetails(source: unknown): ErrorDetails {
  const out: ErrorDetails = { localizedMessages: [], other: [] };
  const details = Array.isArray(source)
    ? source as Any[]
    : (source as { details?: unknown } | null)?.details;
  if (!Array.isArray(details)) return out;
  for (const any of details as Any[]) {
    const name = typeof any?.typeUrl === "string"
      ? any.typeUrl.slice(any.typeUrl.lastIndexOf("/") + 1)
      : "";
    const known = kindByTypeName().get(name);
    let value;
    if (known !== undefined) {
      try {
        value = anyUnpack(any, known[1]);
      } catch {
        // Bytes that do not decode as the named type are kept as they came.
      }
    }
    if (known === undefined || value === undefined) {
      out.other.push(any);
      continue;
    }
    const [kind] = known;
    if (kind === "localizedMessage") out.localizedMessages.push(value as LocalizedMessage);
    if (out[kind] === undefined) (out as unknown as Record<string, unknown>)[kind] = value;
  }
  return out;
}
