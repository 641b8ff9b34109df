import { create } from "@bufbuild/protobuf";
import type { Clock } from "../clock.ts";
import { protobufCodec } from "../codec.ts";
import { Code } from "../code.ts";
import {
  Health,
  HealthCheckRequestSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  HealthCheckResponseSchema,
} from "../gen/grpc/health/v1/health_pb.ts";
import { Metadata } from "../metadata.ts";
import { methodInfo } from "../method.ts";
import { RpcError } from "../rpc-error.ts";
import { singleMessageStream } from "../single-message.ts";
import type { Transport } from "../transport.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";

/** What a health watch reports about its endpoint. */
export type HealthReport =
  | { readonly kind: "serving" }
  | { readonly kind: "not_serving"; readonly error: RpcError }
  /** The server has no health service: health checking is off for it (gRFC A17). */
  | { readonly kind: "unimplemented" }
  /** The watch is being (re)started after a failure. */
  | { readonly kind: "restarting" };

const watch = methodInfo(Health.method.watch);
const requestCodec = protobufCodec(HealthCheckRequestSchema);
const responseCodec = protobufCodec(HealthCheckResponseSchema);

/**
 * Client-side health checking of one endpoint (gRFC A17): a
 * `grpc.health.v1.Health/Watch` call kept open on the endpoint's transport.
 * `SERVING` reports healthy, any other status unhealthy; a failed watch is
 * restarted with backoff (at once after one that delivered a message);
 * `UNIMPLEMENTED` turns checking off and counts as healthy.
 */
export class HealthWatch {
  readonly #transport: Transport;
  readonly #serviceName: string;
  readonly #clock: Clock;
  readonly #report: (report: HealthReport) => void;
  readonly #backoff: Backoff;
  #controller: AbortController | undefined;
  #timer: unknown;
  #stopped = false;

  /** Starts watching `serviceName` over `transport`. */
  constructor(
    transport: Transport,
    serviceName: string,
    clock: Clock,
    report: (report: HealthReport) => void,
    backoff?: BackoffOptions,
    random?: () => number,
  ) {
    this.#transport = transport;
    this.#serviceName = serviceName;
    this.#clock = clock;
    this.#report = report;
    this.#backoff = new Backoff(backoff, random);
    this.#start();
  }

  /** Ends the watch. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#controller?.abort(new RpcError(Code.CANCELLED, "health watch stopped"));
  }

  #start(): void {
    if (this.#stopped) return;
    this.#timer = undefined;
    const controller = new AbortController();
    this.#controller = controller;
    this.#run(controller.signal).then((outcome) => {
      if (this.#stopped || controller.signal.aborted) return;
      if (outcome.unimplemented) {
        this.#report({ kind: "unimplemented" });
        return;
      }
      this.#report({ kind: "not_serving", error: outcome.error });
      if (outcome.gotMessage) this.#backoff.reset();
      const wait = outcome.gotMessage ? 0 : this.#backoff.next();
      this.#timer = this.#clock.setTimeout(() => {
        if (this.#stopped) return;
        this.#report({ kind: "restarting" });
        this.#start();
      }, wait);
    });
  }

  async #run(
    signal: AbortSignal,
  ): Promise<{ unimplemented: boolean; gotMessage: boolean; error: RpcError }> {
    let gotMessage = false;
    try {
      const request = create(HealthCheckRequestSchema, { service: this.#serviceName });
      const res = await this.#transport.stream({
        method: watch,
        contentSubtype: "proto",
        metadata: new Metadata(),
        signal,
        timeoutMs: undefined,
        messages: singleMessageStream(requestCodec.encode(request)),
      });
      for await (const bytes of res.messages) {
        gotMessage = true;
        const { status } = responseCodec.decode(bytes);
        if (status === ServingStatus.SERVING) {
          this.#report({ kind: "serving" });
        } else {
          const name = Object.entries(ServingStatus).find(([, v]) => v === status)?.[0] ??
            String(status);
          this.#report({
            kind: "not_serving",
            error: new RpcError(
              Code.UNAVAILABLE,
              `the endpoint reports ${JSON.stringify(this.#serviceName)} as ${name}`,
            ),
          });
        }
      }
      return {
        unimplemented: false,
        gotMessage,
        error: new RpcError(Code.UNAVAILABLE, "the health watch ended"),
      };
    } catch (e) {
      const error = RpcError.from(e, Code.UNAVAILABLE);
      return {
        unimplemented: error.code === Code.UNIMPLEMENTED,
        gotMessage,
        error: new RpcError(Code.UNAVAILABLE, `health watch failed: ${error.message}`, {
          cause: error,
        }),
      };
    }
  }
}
