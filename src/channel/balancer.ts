import { Code } from "../code.ts";
import { RpcError } from "../rpc-error.ts";
import type { ConnectivityState } from "./connectivity-state.ts";
import type { Subchannel } from "./subchannel.ts";
import type { Endpoint } from "./target.ts";

/** What a picker answers for one call attempt. */
export type PickResult =
  | { readonly kind: "pick"; readonly subchannel: Subchannel }
  /** No endpoint is ready yet: wait for the next picker. */
  | { readonly kind: "queue" }
  /** Every endpoint failed: fail the call at once, unless it waits for ready. */
  | { readonly kind: "fail"; readonly error: RpcError };

/** Chooses the subchannel of each call attempt; a balancer makes a new one on every change. */
export interface Picker {
  /** Picks for one attempt; `avoid` lists subchannels earlier attempts used (for hedging). */
  pick(avoid?: ReadonlySet<Subchannel>): PickResult;
}

/** What the channel offers its balancer. */
export interface BalancerHelper {
  /** The subchannel of an endpoint (shared, counted); give it back with `release`. */
  subchannel(endpoint: Endpoint): Subchannel;
  /** Gives back a subchannel from `subchannel`. */
  release(subchannel: Subchannel): void;
  /** Publishes the balancer's aggregate state and the picker for new attempts. */
  update(state: ConnectivityState, picker: Picker): void;
  /** Asks the resolver to resolve again (an endpoint failed or went away). */
  requestResolution(): void;
}

/** A load-balancing policy: spreads call attempts over a target's endpoints. */
export interface Balancer {
  /** The resolver's current endpoints. */
  updateEndpoints(endpoints: readonly Endpoint[]): void;
  /** The resolver failed; keep using what there is, or fail calls when there is nothing. */
  resolutionFailed(error: RpcError): void;
  /** A call or `getState(true)` wants connections: leave idle. */
  exitIdle(): void;
  /** Releases every subchannel. */
  close(): void;
}

/** A picker that queues every attempt (while connecting). */
export const queuePicker: Picker = { pick: () => ({ kind: "queue" }) };

/** A picker that fails every attempt with `error`. */
export function failPicker(error: RpcError): Picker {
  return { pick: () => ({ kind: "fail", error }) };
}

/** The error of calls when every endpoint failed, naming the last cause. */
export function allFailedError(subchannels: readonly Subchannel[], what: string): RpcError {
  const last = subchannels.map((s) => s.lastError).find((e) => e !== undefined);
  const addresses = subchannels.map((s) => s.endpoint.address).join(", ");
  return new RpcError(
    Code.UNAVAILABLE,
    `no ready endpoint for ${what} (${addresses})` +
      (last !== undefined ? `: last error: ${last.rawMessage}` : ""),
    { cause: last },
  );
}
