/**
 * The connectivity state of a channel or of one of its endpoints, as gRPC's
 * connectivity semantics name them:
 *
 * - `"idle"`: no connection, none being made; a call (or `getState(true)`)
 *   starts one.
 * - `"connecting"`: a connection is being made (or, with health checking,
 *   the first health report is awaited).
 * - `"ready"`: calls go out.
 * - `"transient_failure"`: connecting failed (or the endpoint reports itself
 *   unhealthy); the next attempt waits for its backoff. Calls fail fast with
 *   `UNAVAILABLE` unless they wait for ready.
 * - `"shutdown"`: closed.
 */
export type ConnectivityState = "idle" | "connecting" | "ready" | "transient_failure" | "shutdown";
