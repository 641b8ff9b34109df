import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { StatusSchema } from "./gen/google/rpc/status_pb.ts";

/** The content of a `google.rpc.Status` message. */
export interface StatusDetails {
  /** The status code. */
  code: number;
  /** The status message. */
  message: string;
  /** The detail messages. */
  details: Any[];
}

/**
 * Encodes a `google.rpc.Status` for the `grpc-status-details-bin` trailer.
 *
 * @example
 * ```ts
 * import { encodeStatusDetails } from "wirecall/protocol";
 * const bytes = encodeStatusDetails({ code: 5, message: "gone", details: [] });
 * ```
 */
export function encodeStatusDetails(status: StatusDetails): Uint8Array {
  return toBinary(StatusSchema, create(StatusSchema, status));
}

/**
 * Decodes a `grpc-status-details-bin` value; returns `undefined` for bytes
 * that are not a valid `google.rpc.Status` instead of throwing.
 *
 * @example
 * ```ts
 * import { decodeStatusDetails, encodeStatusDetails } from "wirecall/protocol";
 * decodeStatusDetails(encodeStatusDetails({ code: 5, message: "gone", details: [] }))?.code; // 5
 * ```
 */
export function decodeStatusDetails(bytes: Uint8Array): StatusDetails | undefined {
  try {
    const status = fromBinary(StatusSchema, bytes);
    return { code: status.code, message: status.message, details: status.details };
  } catch {
    return undefined;
  }
}
