import {
  create,
  type DescMessage,
  fromBinary,
  fromJson,
  type JsonValue,
  type Registry,
  toBinary,
  toJson,
} from "@bufbuild/protobuf";
import { Code, Metadata, type PeerInfo, RpcError } from "../../mod.ts";
import { httpStatusFromCode, metadataToHeaders, type ServerCallIO } from "../../protocol.ts";
import { readBodyBytes } from "../../src/fetch-protocol.ts";
import { ResponseBodyStream } from "../../src/response-body-stream.ts";
import type { HttpBinding } from "./http-rule.ts";
import { findField, type JsonObject, resolveFieldPath, setFieldPath } from "./request-fields.ts";
import { statusJson } from "./status-json.ts";

/** What a REST call needs to know of its request. */
export interface RestCallInit {
  request: Request;
  binding: HttpBinding;
  /** The path variables' values, by field path. */
  pathValues: Map<string, string>;
  registry: Registry;
  maxReceiveMessageBytes: number;
  timeoutMs: number | undefined;
  peer: PeerInfo;
  metadata: Metadata;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function badRequest(message: string, cause?: unknown): RpcError {
  return new RpcError(Code.INVALID_ARGUMENT, message, { cause });
}

/** A REST error response: the mapped HTTP status and `google.rpc.Status` JSON. */
export function restErrorResponse(
  error: RpcError,
  registry: Registry,
  header?: Metadata,
  trailer?: Metadata,
): Response {
  const headers = new Headers({ "content-type": "application/json" });
  const add = (k: string, v: string) => headers.append(k, v);
  if (header !== undefined) metadataToHeaders(header, add);
  metadataToHeaders(error.metadata, add);
  if (trailer !== undefined) metadataToHeaders(trailer, add);
  return new Response(JSON.stringify(statusJson(error, registry)), {
    status: httpStatusFromCode(error.code),
    headers,
  });
}

/**
 * One REST call transcoded to an RPC: the request message is built from the
 * path variables, the query parameters and the JSON body as the method's
 * HttpRule maps them; the response is the message (or its `response_body`
 * field) in proto3 JSON. A server stream is newline-delimited JSON, one
 * `{"result": …}` per message and `{"error": …}` if it fails, as gRPC
 * gateways write it; a client stream reads one JSON message per body line.
 */
export class RestCall implements ServerCallIO {
  readonly metadata: Metadata;
  readonly timeoutMs: number | undefined;
  readonly signal: AbortSignal;
  readonly peer: PeerInfo;
  readonly contentSubtype = "proto";
  readonly messages: AsyncIterable<Uint8Array>;
  /** Resolves to the `Response` to return to the runtime. */
  readonly response: Promise<Response>;

  readonly #init: RestCallInit;
  readonly #input: DescMessage;
  readonly #output: DescMessage;
  readonly #abort = new AbortController();
  #resolve!: (r: Response) => void;
  #responded = false;
  #ended = false;
  #header: Metadata | undefined;
  #message: Uint8Array | undefined;
  #body: ResponseBodyStream | undefined;
  readonly #onRequestAbort = () => this.#cancel();

  constructor(init: RestCallInit) {
    this.#init = init;
    this.metadata = init.metadata;
    this.timeoutMs = init.timeoutMs;
    this.signal = this.#abort.signal;
    this.peer = init.peer;
    this.#input = init.binding.method.input;
    this.#output = init.binding.method.output;
    this.response = new Promise((resolve) => (this.#resolve = resolve));
    this.messages = init.binding.method.methodKind === "client_streaming" ||
        init.binding.method.methodKind === "bidi_streaming"
      ? this.#readLines()
      : this.#readOne();
    init.request.signal?.addEventListener("abort", this.#onRequestAbort, { once: true });
  }

  get #streaming(): boolean {
    const kind = this.#init.binding.method.methodKind;
    return kind === "server_streaming" || kind === "bidi_streaming";
  }

  #cancel(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#abort.abort(new RpcError(Code.CANCELLED, "the client went away"));
    this.#body?.close();
    this.#respond(new Response(null, { status: 499 }));
  }

  #respond(response: Response): void {
    if (this.#responded) return;
    this.#responded = true;
    this.#init.request.signal?.removeEventListener("abort", this.#onRequestAbort);
    this.#resolve(response);
  }

  /** The request message for one JSON body value (`undefined`: no body). */
  #requestMessage(body: unknown): Uint8Array {
    const { binding, pathValues, request, registry } = this.#init;
    let root: JsonObject = {};
    if (binding.body === "*") {
      if (body !== undefined) {
        if (typeof body !== "object" || body === null || Array.isArray(body)) {
          throw badRequest(
            `the body of ${request.method} ${binding.template.source} must be a JSON object`,
          );
        }
        root = body as JsonObject;
      }
    } else {
      if (binding.body !== "" && body !== undefined) {
        const fields = resolveFieldPath(this.#input, binding.body.split("."));
        root[fields[0].jsonName] = body;
      }
      const query = new URL(request.url).searchParams;
      for (const key of new Set(query.keys())) {
        setFieldPath(
          root,
          this.#input,
          key.split("."),
          query.getAll(key),
          `query parameter "${key}"`,
        );
      }
    }
    for (const [path, value] of pathValues) {
      setFieldPath(root, this.#input, path.split("."), [value], `path variable {${path}}`);
    }
    try {
      const message = fromJson(this.#input, root as JsonValue, {
        registry,
        ignoreUnknownFields: true,
      });
      return toBinary(this.#input, message);
    } catch (e) {
      throw badRequest(
        `cannot read ${this.#input.typeName} from the request: ${(e as Error).message}`,
        e,
      );
    }
  }

  async #readText(): Promise<string> {
    const { request, maxReceiveMessageBytes: max } = this.#init;
    const bytes = await readBodyBytes(
      request.body,
      max,
      request.headers.get("content-length"),
      (n) =>
        new RpcError(
          Code.RESOURCE_EXHAUSTED,
          `request body of ${n} bytes exceeds the limit of ${max} bytes`,
        ),
    );
    return decoder.decode(bytes);
  }

  async *#readOne(): AsyncGenerator<Uint8Array> {
    let body: unknown;
    if (this.#init.binding.body !== "") {
      const text = (await this.#readText()).trim();
      if (text !== "") body = parseJson(text);
    }
    yield this.#requestMessage(body);
  }

  async *#readLines(): AsyncGenerator<Uint8Array> {
    // Client streams: the body is newline-delimited JSON, one message per line.
    const { request, maxReceiveMessageBytes: max } = this.#init;
    if (request.body === null) return;
    let pending = "";
    const stream = request.body.pipeThrough(new TextDecoderStream());
    for await (const chunk of stream as unknown as AsyncIterable<string>) {
      pending += chunk;
      if (pending.length > max) {
        throw new RpcError(
          Code.RESOURCE_EXHAUSTED,
          `a request line exceeds the limit of ${max} bytes`,
        );
      }
      let nl: number;
      while ((nl = pending.indexOf("\n")) !== -1) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line !== "") yield this.#requestMessage(parseJson(line));
      }
    }
    if (pending.trim() !== "") yield this.#requestMessage(parseJson(pending.trim()));
  }

  /** A response message as the JSON the route sends: the message or its `response_body` field. */
  #responseJson(bytes: Uint8Array): unknown {
    const { registry, binding } = this.#init;
    const message = fromBinary(this.#output, bytes);
    const json = toJson(this.#output, message, { registry }) as JsonObject;
    if (binding.responseBody === "") return json;
    const field = findField(this.#output, binding.responseBody)!;
    return json[field.jsonName] ??
      (toJson(this.#output, create(this.#output), {
        registry,
        alwaysEmitImplicit: true,
      }) as JsonObject)[
        field.jsonName
      ] ?? {};
  }

  #headers(header: Metadata, contentType: string): Headers {
    const headers = new Headers({ "content-type": contentType });
    metadataToHeaders(header, (k, v) => headers.append(k, v));
    return headers;
  }

  sendHeader(header: Metadata): void {
    this.#header ??= header;
    if (!this.#streaming || this.#responded || this.#ended) return;
    this.#body = new ResponseBodyStream(() => this.#cancel());
    this.#respond(
      new Response(this.#body.readable, {
        status: 200,
        headers: this.#headers(header, "application/x-ndjson"),
      }),
    );
  }

  sendMessage(bytes: Uint8Array): void | Promise<void> {
    if (this.#ended) return;
    if (!this.#streaming) {
      this.#message = bytes;
      return;
    }
    const line = JSON.stringify({ result: this.#responseJson(bytes) }) + "\n";
    return this.#body?.enqueue(encoder.encode(line));
  }

  end(error: RpcError | undefined, trailer: Metadata, header: Metadata | undefined): void {
    if (this.#ended) {
      this.#respond(new Response(null, { status: 499 }));
      return;
    }
    this.#ended = true;
    const { registry } = this.#init;
    const head = this.#header ?? header ?? new Metadata();
    if (this.#body !== undefined) {
      if (error !== undefined) {
        this.#body.enqueue(
          encoder.encode(JSON.stringify({ error: statusJson(error, registry) }) + "\n"),
        );
      }
      this.#body.close();
      return;
    }
    if (error === undefined && this.#streaming) {
      // A stream that ended before any message: an empty NDJSON body.
      this.#respond(
        new Response(null, { status: 200, headers: this.#headers(head, "application/x-ndjson") }),
      );
      return;
    }
    if (error !== undefined || this.#message === undefined) {
      const e = error ?? new RpcError(Code.INTERNAL, "the handler sent no response message");
      this.#respond(restErrorResponse(e, registry, head, trailer));
      return;
    }
    let body: string;
    try {
      body = JSON.stringify(this.#responseJson(this.#message));
    } catch (e) {
      this.#respond(restErrorResponse(RpcError.from(e, Code.INTERNAL), registry, head, trailer));
      return;
    }
    const headers = this.#headers(head, "application/json");
    metadataToHeaders(trailer, (k, v) => headers.append(k, v));
    this.#respond(new Response(body, { status: 200, headers }));
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not JSON: ${(e as Error).message}`, e);
  }
}
