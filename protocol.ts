/**
 * wirecall's protocol plumbing, for transport authors: what the HTTP/2,
 * gRPC-Web, Connect and loopback transports are built from — deadlines,
 * request and response head checks, framing, compression steps. Application
 * code imports `wirecall` and a transport instead; nothing here is needed
 * to make or serve calls.
 *
 * @example
 * ```ts
 * import { builtinCompressions } from "wirecall";
 * import { acceptEncodingHeader } from "wirecall/protocol";
 * acceptEncodingHeader(builtinCompressions); // "gzip,identity"
 * ```
 *
 * @module
 */
export {
  acceptEncodingHeader,
  type HeaderLookup,
  refuseContentType,
  type RequestHead,
  type RequestRejection,
  type RequestRules,
  validateRequest,
  writeRejectionFields,
} from "./src/validate-request.ts";
export {
  type HeaderEntries,
  type ResponseHead,
  type ResponseRules,
  statusFromTrailers,
  validateResponse,
} from "./src/validate-response.ts";
export {
  decodeEnvelopes,
  type DecodeEnvelopesOptions,
  decompressEnvelope,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  encodeEnvelope,
  encodeMessage,
  type Envelope,
  EnvelopeDecoder,
  FLAG_COMPRESSED,
  FLAG_TRAILER,
  messageTooLarge,
  writeEnvelope,
  writeEnvelopeHeader,
} from "./src/envelope.ts";
export { type DrainTarget, waitForDrain } from "./src/drain.ts";
export {
  type MessageSide,
  readSingleMessage,
  singleMessageOf,
  SingleMessageStream,
  singleMessageStream,
  unaryOverStream,
} from "./src/single-message.ts";
export { codeFromHttpStatus, httpStatusFromCode } from "./src/http-status.ts";
export { decodeGrpcMessage, encodeGrpcMessage } from "./src/grpc-message.ts";
export {
  decodeStatusDetails,
  encodeStatusDetails,
  type StatusDetails,
} from "./src/status-details.ts";
export { parseStatusCode, readTrailerStatus, writeTrailerFields } from "./src/trailer-status.ts";
export { decodeBase64, encodeBase64 } from "./src/base64.ts";
export { copyBytes } from "./src/byte-pool.ts";
export { isReservedHeader, metadataFromHeaders, metadataToHeaders } from "./src/metadata.ts";
export { formatGrpcTimeout, parseGrpcTimeout } from "./src/grpc-timeout.ts";
export {
  compressionFor,
  compressionsNamed,
  negotiateResponseEncoding,
  parseAcceptEncoding,
} from "./src/compression.ts";
export { carryMessageCompression, markReceivedCompressed } from "./src/message-compression.ts";
export {
  type StreamTransportRequest,
  type StreamTransportResponse,
  type TransportRequestBase,
  type UnaryTransportRequest,
  type UnaryTransportResponse,
} from "./src/transport.ts";
export { applyInterceptors } from "./src/interceptor.ts";
export { CallScope } from "./src/call-scope.ts";
export { newCallStats } from "./src/call-stats.ts";
export { Deadline, type DeadlineSources } from "./src/deadline.ts";
export { type ServerCallIO } from "./src/server-call.ts";
export {
  byteLimitOption,
  clockOption,
  durationOption,
  functionOption,
  parseOptions,
} from "./src/options.ts";
export { MessageQueue } from "./src/message-queue.ts";
export {
  describeFetchError,
  fetchFailureKind,
  isConnectionFailure,
  mayHaveBeenProcessed,
  transportFailure,
} from "./src/attempt-failure.ts";
