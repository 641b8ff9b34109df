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
  DEFAULT_MAX_RECEIVE_MESSAGE_BYTES,
  describeFetchError,
  fetchFailureKind,
  formatGrpcTimeout,
  metadataFromHeaders,
  metadataToHeaders,
  parseOptions,
  type StreamTransportRequest,
  type StreamTransportResponse,
  transportFailure,
  type TransportRequestBase,
} from "../../protocol.ts";
import {
  type FetchFunction,
  followSignal,
  globalFetch,
  refuseFetchCallKind,
  requestBodyStream,
  runtimeStreamsRequests,
} from "../../src/fetch-call.ts";

export type { FetchFunction };
import {
  encodeMessage,
  readSingleMessage,
  type ResponseRules,
  statusFromTrailers,
  unaryOverStream,
  validateResponse,
} from "../../protocol.ts";
import { formatGrpcWebContentType, parseGrpcWebContentType } from "./content-type.ts";
import { readGrpcWebMessages } from "./message-reader.ts";
import { encodeGrpcWebText } from "./web-text.ts";
import { type GrpcWebTransportOptions, grpcWebTransportOptionsSchema } from "./client-options.ts";

const responseRules: ResponseRules = {
  isContentType: (value) => parseGrpcWebContentType(value) !== undefined,
  contentType: "application/grpc-web",
};

async function* noMessages(): AsyncGenerator<Uint8Array> {}

/**
 * Creates a gRPC-Web client transport on `fetch`: it runs in browsers, Deno,
 * Node, Bun and edge runtimes such as workerd. Unary and server-streaming
 * calls work everywhere; client streaming where the runtime can stream a
 * request body; bidi streaming needs the HTTP/2 transport.
 *
 * @example
 * ```ts
 * import { createClient } from "wirecall";
 * import { createGrpcWebTransport } from "wirecall/transports/grpc-web";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * const transport = createGrpcWebTransport({ baseUrl: "https://api.example.com" });
 * const client = createClient(DemoService, transport);
 * const { greeting } = await client.greet({ name: "Ada" });
 * ```
 */
export function createGrpcWebTransport(options: GrpcWebTransportOptions): Transport {
  const opts = parseOptions(
    "gRPC-Web transport",
    grpcWebTransportOptionsSchema,
    options,
  ) as GrpcWebTransportOptions;
  const baseUrl = opts.baseUrl.replace(/\/+$/, "");
  const peer = new URL(baseUrl).host;
  const text = opts.format === "text";
  const fetchFn = opts.fetch ?? globalFetch;
  const maxBytes = opts.maxReceiveMessageBytes ?? DEFAULT_MAX_RECEIVE_MESSAGE_BYTES;
  const sendCompression = compressionFor(opts.sendCompression, builtinCompressions);
  const acceptEncoding = (opts.acceptCompression ?? ["gzip"]).join(",");
  const streamsRequests = opts.requestStreaming ?? runtimeStreamsRequests();

  async function frame(message: Uint8Array): Promise<Uint8Array> {
    const framed = await encodeMessage(message, sendCompression);
    return text ? encodeGrpcWebText(framed) : framed;
  }

  function requestHeaders(req: TransportRequestBase): Headers {
    const headers = new Headers();
    metadataToHeaders(req.metadata, (k, v) => headers.append(k, v));
    const contentType = formatGrpcWebContentType(text ? "text" : "binary", req.contentSubtype);
    headers.set("content-type", contentType);
    headers.set("accept", contentType);
    headers.set("x-grpc-web", "1");
    headers.set("x-user-agent", "wirecall-grpc-web/0.1");
    headers.set("grpc-accept-encoding", acceptEncoding);
    if (sendCompression.name !== "identity") headers.set("grpc-encoding", sendCompression.name);
    if (req.timeoutMs !== undefined) headers.set("grpc-timeout", formatGrpcTimeout(req.timeoutMs));
    return headers;
  }

  async function stream(req: StreamTransportRequest): Promise<StreamTransportResponse> {
    refuseFetchCallKind(req.method, streamsRequests, "gRPC-Web");
    const { signal } = req;
    if (signal.aborted) throw signal.reason;
    const url = baseUrl + req.method.path;
    if (req.stats !== undefined) req.stats.peer = peer;
    const { controller, release } = followSignal(signal);

    let requestError = (): unknown => undefined;
    let body: BodyInit;
    if (req.method.requestStream) {
      const stream = requestBodyStream(req.messages, frame, controller);
      body = stream.body as BodyInit;
      requestError = stream.failure;
    } else {
      const only = await readSingleMessage(req.messages, req.method.path, "request");
      body = await frame(only) as Uint8Array<ArrayBuffer>;
    }

    const init: RequestInit & { duplex?: "half" } = {
      method: "POST",
      headers: requestHeaders(req),
      body,
      signal: controller.signal,
    };
    if (req.method.requestStream) init.duplex = "half";
    if (opts.credentials !== undefined) init.credentials = opts.credentials;

    let response: Response;
    try {
      response = await fetchFn(url, init);
    } catch (e) {
      release();
      if (signal.aborted) throw signal.reason;
      if (requestError() !== undefined) throw RpcError.from(requestError(), Code.CANCELLED);
      throw transportFailure(
        fetchFailureKind(e),
        `gRPC-Web request to ${url} failed: ${describeFetchError(e)}`,
        { cause: e },
      );
    }

    try {
      const head = validateResponse(
        response.status,
        (k) => response.headers.get(k) ?? undefined,
        () => response.headers,
        responseRules,
        url,
      );
      if (head.outcome !== undefined) {
        response.body?.cancel().catch(() => {});
        release();
        if (head.outcome.error !== undefined) throw head.outcome.error;
        // Trailers-only OK: its fields are both the headers and the trailers.
        const md = metadataFromHeaders(response.headers);
        return { header: md, messages: noMessages(), trailer: new Metadata(md) };
      }
      const compression = head.compression;
      const trailer = new Metadata();
      const messages = readMessages(response, compression, trailer, signal, release);
      return { header: metadataFromHeaders(response.headers), messages, trailer };
    } catch (e) {
      response.body?.cancel().catch(() => {});
      release();
      throw e;
    }
  }

  async function* readMessages(
    response: Response,
    compression: Compression,
    trailer: Metadata,
    signal: AbortSignal,
    release: (reason?: RpcError) => void,
  ): AsyncGenerator<Uint8Array> {
    let trailerFields: Array<[string, string]> | undefined;
    let ended = false;
    try {
      yield* readGrpcWebMessages(response.body, {
        text,
        maxBytes,
        compression,
        onTrailer: (fields) => (trailerFields = fields),
        signal,
      });
      ended = true;
    } catch (e) {
      ended = true;
      if (signal.aborted) throw signal.reason;
      if (e instanceof RpcError) throw e;
      throw transportFailure("lost", `gRPC-Web response stream failed: ${describeFetchError(e)}`, {
        cause: e,
      });
    } finally {
      // Stopping before the end lets go of the response body and the connection.
      release(ended ? undefined : new RpcError(Code.CANCELLED, "the caller stopped reading"));
    }
    if (signal.aborted) throw signal.reason;
    if (trailerFields === undefined) {
      throw new RpcError(Code.INTERNAL, "gRPC-Web response ended without a trailer frame");
    }
    const fields = trailerFields;
    const status = statusFromTrailers((k) => fields.find(([key]) => key === k)?.[1], fields, 200);
    if (status !== undefined) throw status;
    trailer.merge(metadataFromHeaders(fields));
  }

  return { stream, unary: unaryOverStream(stream) };
}
