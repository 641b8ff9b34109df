import { Code, type Compression, RpcError } from "../../mod.ts";
import { decodeEnvelopes, decompressEnvelope, FLAG_TRAILER } from "../../protocol.ts";
import { parseTrailerFrame } from "./trailer-frame.ts";
import { GrpcWebTextDecoder } from "./web-text.ts";

/** How to read the messages of one gRPC-Web body. */
export interface GrpcWebReadOptions {
  /** The body is `grpc-web-text`: base64, decoded before framing. */
  text: boolean;
  /** The largest message, before and after decompression. */
  maxBytes: number;
  /** The compression of flagged frames (the call's `grpc-encoding`). */
  compression: Compression;
  /**
   * Receives the fields of the trailer frame (a response's last frame);
   * without it a trailer frame is `INTERNAL`, as in a request. A frame
   * after the trailers is `INTERNAL` too.
   */
  onTrailer?: (fields: Array<[string, string]>) => void;
  /** Stops reading, and cancels the body, when aborted. */
  signal?: AbortSignal;
}

/**
 * Reads the messages of a gRPC-Web request or response body as they arrive:
 * the core's `decodeEnvelopes` (the size limit checked before a frame is
 * buffered; base64 first for `grpc-web-text`), each message inflated by
 * `decompressEnvelope`, the trailer frame handed to `onTrailer`. Stopping
 * early cancels the body.
 */
export async function* readGrpcWebMessages(
  body: ReadableStream<Uint8Array> | null,
  options: GrpcWebReadOptions,
): AsyncGenerator<Uint8Array> {
  const { maxBytes, compression, onTrailer, signal } = options;
  if (signal?.aborted) throw signal.reason;
  if (body === null) return;
  let trailed = false;
  const frames = decodeEnvelopes(body, maxBytes, {
    bodyDecoder: options.text ? new GrpcWebTextDecoder() : undefined,
    signal,
  });
  for await (const frame of frames) {
    if (trailed) {
      throw new RpcError(Code.INTERNAL, "gRPC-Web response has data after its trailers");
    }
    if ((frame.flags & FLAG_TRAILER) !== 0) {
      if (onTrailer === undefined) {
        throw new RpcError(Code.INTERNAL, "a gRPC-Web request may not carry a trailer frame");
      }
      trailed = true;
      onTrailer(parseTrailerFrame(frame.data));
      continue;
    }
    yield await decompressEnvelope(frame, compression, maxBytes);
  }
}
