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
