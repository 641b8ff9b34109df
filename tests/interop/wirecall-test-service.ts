// TestService on wirecall's router, with the server features the interop
// cases rely on: payloads of the asked size, echoed metadata, requested
// statuses, and the check that a request said to be compressed was.
import { hostname } from "node:os";
import process from "node:process";
import {
  Code,
  createRouter,
  type HandlerContext,
  messageCompression,
  type Router,
  RpcError,
  withMessageCompression,
} from "wirecall";
import type { EchoStatus } from "../../protos/gen/grpc/testing/messages_pb.ts";
import { TestService } from "../../protos/gen/grpc/testing/test_pb.ts";

const ECHO_INITIAL = "x-grpc-test-echo-initial";
const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";

/** Payload bodies are zeros: views of one shared block, so streaming allocates no bodies. */
const ZEROS = new Uint8Array(4 * 1024 * 1024);
function zeros(size: number): Uint8Array {
  return size <= ZEROS.length ? ZEROS.subarray(0, size) : new Uint8Array(size);
}

function echoMetadata(ctx: HandlerContext): void {
  const initial = ctx.metadata.get(ECHO_INITIAL);
  if (initial !== undefined) ctx.responseHeader.set(ECHO_INITIAL, initial);
  const trailing = ctx.metadata.get(ECHO_TRAILING);
  if (trailing !== undefined) ctx.responseTrailer.set(ECHO_TRAILING, trailing);
}

function raise(status: EchoStatus | undefined): void {
  if (status !== undefined && status.code !== 0) {
    throw new RpcError(status.code as Code, status.message);
  }
}

/** A message said to arrive compressed must have come with the frame's compressed flag. */
function checkCompressed(expect: { value: boolean } | undefined, message: object): void {
  if (expect?.value === true && messageCompression(message) !== true) {
    throw new RpcError(Code.INVALID_ARGUMENT, "expected a compressed request message");
  }
}

/** The id this server reports with `fill_server_id` (gRPC's pick_first/round_robin cases). */
const SERVER_ID = `wirecall-${process.pid}`;

/** Compresses (or not) one response message as the request asked (`response_compressed`, `compressed`). */
function compressed<T extends object>(
  message: T,
  ask: { value: boolean } | undefined,
  ctx: HandlerContext,
): T {
  if (ask === undefined) return message;
  if (ask.value) ctx.setResponseCompression("gzip");
  return withMessageCompression(message, ask.value);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** A router serving the interop TestService (UnimplementedCall left out on purpose). */
export function interopRouter(): Router {
  return createRouter().service(TestService, {
    emptyCall: () => ({}),
    unaryCall(req, ctx) {
      echoMetadata(ctx);
      checkCompressed(req.expectCompressed, req);
      raise(req.responseStatus);
      const response = {
        payload: { body: zeros(req.responseSize) },
        ...(req.fillServerId ? { serverId: SERVER_ID, hostname: hostname() } : {}),
      };
      return compressed(response, req.responseCompressed, ctx);
    },
    cacheableUnaryCall: (req) => ({ payload: { body: zeros(req.responseSize) } }),
    async *streamingOutputCall(req, ctx) {
      echoMetadata(ctx);
      // One encoding for the call: gzip when any response asks for compression.
      if (req.responseParameters.some((p) => p.compressed?.value)) {
        ctx.setResponseCompression("gzip");
      }
      for (const p of req.responseParameters) {
        if (p.intervalUs > 0) await sleep(p.intervalUs / 1000, ctx.signal);
        yield compressed({ payload: { body: zeros(p.size) } }, p.compressed, ctx);
      }
      raise(req.responseStatus);
    },
    async streamingInputCall(reqs) {
      let size = 0;
      for await (const r of reqs) {
        checkCompressed(r.expectCompressed, r);
        size += r.payload?.body.length ?? 0;
      }
      return { aggregatedPayloadSize: size };
    },
    async *fullDuplexCall(reqs, ctx) {
      echoMetadata(ctx);
      for await (const r of reqs) {
        raise(r.responseStatus);
        for (const p of r.responseParameters) {
          if (p.intervalUs > 0) await sleep(p.intervalUs / 1000, ctx.signal);
          yield { payload: { body: zeros(p.size) } };
        }
      }
    },
    async *halfDuplexCall(reqs) {
      const all = [];
      for await (const r of reqs) all.push(r);
      for (const r of all) {
        for (const p of r.responseParameters) yield { payload: { body: zeros(p.size) } };
      }
    },
  });
}
