import { Code } from "./code.ts";
import { MessageQueue } from "./message-queue.ts";
import { RpcError } from "./rpc-error.ts";
import type { ServiceImpl } from "./router.ts";
import {
  Health,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "./gen/grpc/health/v1/health_pb.ts";

export { Health as HealthService, ServingStatus };

/** A serving status by name: `"SERVING"`, `"NOT_SERVING"`, … */
export type ServingStatusName = keyof typeof ServingStatus;

/**
 * The standard gRPC health service (`grpc.health.v1.Health`): `Check`,
 * `List` and `Watch`, answered from statuses the application sets. The empty
 * service name stands for the whole server.
 *
 * @example
 * ```ts
 * import { createRouter, HealthRegistry, HealthService } from "wirecall";
 * const health = new HealthRegistry();
 * const router = createRouter().service(HealthService, health.impl);
 * health.setStatus("", "SERVING");
 * ```
 */
export class HealthRegistry {
  #statuses = new Map<string, ServingStatus>();
  #watchers = new Map<string, Set<MessageQueue<{ status: ServingStatus }>>>();

  /** Starts with the whole server (`""`) `SERVING`, unless `initial` says otherwise. */
  constructor(initial: Record<string, ServingStatusName> = { "": "SERVING" }) {
    for (const [name, status] of Object.entries(initial)) this.setStatus(name, status);
  }

  /** Sets a service's status and tells every watcher of it. */
  setStatus(service: string, status: ServingStatusName | ServingStatus): void {
    const value = typeof status === "string" ? ServingStatus[status] : status;
    if (value === undefined) {
      throw new RpcError(Code.INVALID_ARGUMENT, `unknown serving status "${status}"`);
    }
    const before = this.#statuses.get(service);
    this.#statuses.set(service, value);
    if (before !== value) {
      for (const q of this.#watchers.get(service) ?? []) q.push({ status: value });
    }
  }

  /** A service's status, or undefined when it was never set. */
  getStatus(service: string): ServingStatus | undefined {
    return this.#statuses.get(service);
  }

  /** The handlers to register with `router.service(HealthService, registry.impl)`. */
  readonly impl: ServiceImpl<typeof Health> = {
    check: (req) => {
      const status = this.#statuses.get(req.service);
      if (status === undefined) {
        throw new RpcError(Code.NOT_FOUND, `unknown service "${req.service}"`);
      }
      return { status };
    },
    list: () => {
      const statuses: Record<string, { status: ServingStatus }> = {};
      for (const [name, status] of this.#statuses) statuses[name] = { status };
      return { statuses };
    },
    watch: (req, ctx) => {
      const queue = new MessageQueue<{ status: ServingStatus }>({ highWaterMark: Infinity });
      let set = this.#watchers.get(req.service);
      if (set === undefined) this.#watchers.set(req.service, set = new Set());
      set.add(queue);
      queue.push({ status: this.#statuses.get(req.service) ?? ServingStatus.SERVICE_UNKNOWN });
      ctx.signal.addEventListener("abort", () => {
        set!.delete(queue);
        queue.close();
      }, { once: true });
      return queue as AsyncIterable<Omit<HealthCheckResponse, "$typeName">>;
    },
  };
}
