import {
  builtinCompressions,
  Code,
  type Compression,
  Metadata,
  RpcError,
  type Transport,
} from "../../mod.ts";
import {
  compressionFor,
  decodeEnvelopes,
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  describeFetchError,
  fetchFailureKind,
  metadataFromHeaders,
  metadataToHeaders,
  parseOptions,
  type StreamTransportRequest,
  type StreamTransportResponse,
  transportFailure,
  type TransportRequestBase,
  type UnaryTransportRequest,
  type UnaryTransportResponse,
} from "../../protocol.ts";
import {
  followSignal,
  globalFetch,
  refuseFetchCallKind,
  requestBodyStream,
  runtimeStreamsRequests,
} from "../../src/fetch-call.ts";
import { readBodyBytes } from "../../src/fetch-protocol.ts";
import { decompressEnvelope, encodeMessage } from "../../protocol.ts";
import { formatConnectContentType } from "./content-type.ts";
import { decodeEndStream, FLAG_END_STREAM } from "./end-stream.ts";
import { connectGetUrl } from "./get-request.ts";
import { CONNECT_PROTOCOL_VERSION, connectHeaders } from "./request-header.ts";
import {
  streamResponseHeader,
  unaryResponseMetadata,
  validateConnectResponse,
} from "./validate-response.ts";
import { type ConnectTransportOptions, connectTransportOptionsSchema } from "./client-options.ts";

/** gzip's two magic bytes; no protobuf message or JSON text starts with them. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Creates a Connect protocol client transport on `fetch`, for browsers,
 * Deno, Node, Bun and workerd. Unary calls are a POST of the plain message
 * (or a GET for `NO_SIDE_EFFECTS` methods with `useHttpGet`); server
 * streaming works everywhere; client streaming where the runtime can stream
 * a request body; bidi streaming needs the HTTP/2 transport.
 *
 * @example
 * ```ts
 * import { createClient } from "wirecall";
 * import { createConnectTransport } from "wirecall/transports/connect";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const client = createClient(DemoService, createConnectTransport({ baseUrl: "https://api.example" }));
 * const { greeting } = await client.greet({ name: "Ada" });
 * ```
 */
export function createConnectTransport(options: ConnectTransportOptions): Transport {
  const opts = parseOptions(
    "Connect transport",
    connectTransportOptionsSchema,
    options,
  ) as ConnectTransportOptions;
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const fetchFn = opts.fetch ?? globalFetch;
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const sendCompression = compressionFor(opts.sendCompression, builtinCompressions);
  const acceptEncoding = (opts.acceptCompression ?? ["gzip"]).join(",");
  const compressMinBytes = opts.compressMinBytes ?? 1024;
  const streamsRequests = opts.requestStreaming ?? runtimeStreamsRequests();
  const tooLarge = (n: number) =>
    new RpcError(
      Code.RESOURCE_EXHAUSTED,
      `response message of at least ${n} bytes exceeds the limit of ${maxBytes} bytes`,
    );

  function headersOf(req: TransportRequestBase, stream: boolean): Headers {
    const headers = new Headers();
    metadataToHeaders(req.metadata, (k, v) => headers.append(k, v));
    headers.set("content-type", formatConnectContentType(stream, req.contentSubtype));
    headers.set(connectHeaders.protocolVersion, CONNECT_PROTOCOL_VERSION);
    headers.set(
      stream ? connectHeaders.streamAcceptEncoding : connectHeaders.unaryAcceptEncoding,
      acceptEncoding,
    );
    if (req.timeoutMs !== undefined) {
      headers.set(connectHeaders.timeout, String(Math.max(0, Math.ceil(req.timeoutMs))));
    }
    return headers;
  }

  /** Runs one fetch with the call's signal; maps transport failures to a status. */
  async function send(
    req: TransportRequestBase,
    url: string,
    init: RequestInit & { duplex?: "half" },
    controller: AbortController,
    failure: () => unknown,
  ): Promise<Response> {
    if (opts.credentials !== undefined) init.credentials = opts.credentials;
    init.signal = controller.signal;
    try {
      return await fetchFn(url, init);
    } catch (e) {
      if (req.signal.aborted) throw req.signal.reason;
      const cause = failure();
      if (cause !== undefined) throw RpcError.from(cause, Code.CANCELLED);
      throw transportFailure(
        fetchFailureKind(e),
        `Connect request to ${url} failed: ${describeFetchError(e)}`,
        { cause: e },
      );
    }
  }

  async function unary(req: UnaryTransportRequest): Promise<UnaryTransportResponse> {
    if (req.signal.aborted) throw req.signal.reason;
    const compress = sendCompression.name !== "identity" &&
      req.message.byteLength >= compressMinBytes;
    const body = compress ? await sendCompression.compress(req.message) : req.message;
    const headers = headersOf(req, false);
    let url = baseUrl + req.method.path;
    const init: RequestInit = { method: "POST", headers };
    if (opts.useHttpGet === true && req.method.noSideEffects) {
      url = connectGetUrl(
        url,
        req.contentSubtype,
        body,
        compress ? sendCompression.name : undefined,
      );
      init.method = "GET";
      headers.delete("content-type");
      headers.delete(connectHeaders.protocolVersion);
    } else {
      init.body = body as Uint8Array<ArrayBuffer>;
      if (compress) headers.set(connectHeaders.unaryEncoding, sendCompression.name);
    }
    const { controller, release } = followSignal(req.signal);
    try {
      const response = await send(req, url, init, controller, () => undefined);
      const compression = await validateConnectResponse(
        response,
        url,
        false,
        req.contentSubtype,
        maxBytes,
      );
      let message = await readBodyBytes(response.body, maxBytes, null, tooLarge);
      // fetch decodes a Content-Encoding it knows by itself (browsers, undici,
      // Deno); only a body that still starts with gzip's magic is decoded here.
      if (compression.name !== "identity" && isGzip(message)) {
        message = await compression.decompress(message, maxBytes);
      }
      const fields = unaryResponseMetadata(response);
      return {
        header: metadataFromHeaders(fields.header),
        message,
        trailer: metadataFromHeaders(fields.trailer),
      };
    } catch (e) {
      if (req.signal.aborted) throw req.signal.reason;
      if (e instanceof RpcError) throw e;
      throw transportFailure(
        "lost",
        `Connect response from ${url} failed: ${describeFetchError(e)}`,
        {
          cause: e,
        },
      );
    } finally {
      release();
    }
  }

  function envelope(message: Uint8Array): Uint8Array | Promise<Uint8Array> {
    return encodeMessage(message, sendCompression, compressMinBytes);
  }

  async function stream(req: StreamTransportRequest): Promise<StreamTransportResponse> {
    const { method } = req;
    refuseFetchCallKind(method, streamsRequests, "Connect over fetch");
    if (req.signal.aborted) throw req.signal.reason;
    const url = baseUrl + method.path;
    const headers = headersOf(req, true);
    if (sendCompression.name !== "identity") {
      headers.set(connectHeaders.streamEncoding, sendCompression.name);
    }
    const { controller, release } = followSignal(req.signal);
    let requestError = (): unknown => undefined;
    let body: BodyInit;
    const init: RequestInit & { duplex?: "half" } = { method: "POST", headers };
    if (method.requestStream) {
      const stream = requestBodyStream(req.messages, envelope, controller);
      body = stream.body as BodyInit;
      requestError = stream.failure;
      init.duplex = "half";
    } else {
      const parts: Uint8Array[] = [];
      for await (const m of req.messages) parts.push(await envelope(m));
      if (parts.length !== 1) {
        release();
        throw new RpcError(
          Code.INTERNAL,
          `${method.path} takes one request message, got ${parts.length}`,
        );
      }
      body = parts[0] as Uint8Array<ArrayBuffer>;
    }
    init.body = body;
    let response: Response;
    let compression: Compression;
    try {
      response = await send(req, url, init, controller, requestError);
      compression = await validateConnectResponse(
        response,
        url,
        true,
        req.contentSubtype,
        maxBytes,
      );
    } catch (e) {
      release();
      throw e;
    }
    const trailer = new Metadata();
    return {
      header: metadataFromHeaders(streamResponseHeader(response)),
      messages: readMessages(response, compression, trailer, req.signal, release),
      trailer,
    };
  }

  async function* readMessages(
    response: Response,
    compression: Compression,
    trailer: Metadata,
    signal: AbortSignal,
    release: (reason?: RpcError) => void,
  ): AsyncGenerator<Uint8Array> {
    let ended = false;
    let endStream: ReturnType<typeof decodeEndStream> | undefined;
    try {
      if (response.body === null) throw new RpcError(Code.INTERNAL, "Connect response has no body");
      for await (const frame of decodeEnvelopes(response.body, maxBytes)) {
        if (endStream !== undefined) {
          throw new RpcError(
            Code.INTERNAL,
            "Connect response has data after its end-of-stream message",
          );
        }
        if ((frame.flags & FLAG_END_STREAM) !== 0) {
          const data = await decompressEnvelope(frame, compression, maxBytes);
          endStream = decodeEndStream(data);
          continue;
        }
        yield await decompressEnvelope(frame, compression, maxBytes);
      }
      ended = true;
    } catch (e) {
      ended = true;
      if (signal.aborted) throw signal.reason;
      if (e instanceof RpcError) throw e;
      throw transportFailure("lost", `Connect response stream failed: ${describeFetchError(e)}`, {
        cause: e,
      });
    } finally {
      release(ended ? undefined : new RpcError(Code.CANCELLED, "the caller stopped reading"));
    }
    if (signal.aborted) throw signal.reason;
    if (endStream === undefined) {
      throw new RpcError(Code.INTERNAL, "Connect response ended without an end-of-stream message");
    }
    trailer.merge(endStream.trailer);
    if (endStream.error !== undefined) throw endStream.error;
  }

  return { unary, stream };
}
