/**
 * The messages the benchmark's parent and its server and client child
 * processes exchange over the IPC channel of `child_process.fork`.
 *
 * @module
 */
import type { ResourceUse } from "./resource-meter.ts";
import type { Scenario } from "./scenarios.ts";

/** Parent → server child. */
export type ToServer = { type: "snapshot"; id: number } | { type: "close" };

/** Server child → parent. */
export type FromServer =
  | { type: "ready"; port: number }
  | { type: "snapshot"; id: number; use: ResourceUse }
  | { type: "error"; message: string };

/** Parent → client child. */
export type ToClient =
  | {
    type: "run";
    id: number;
    scenario: Scenario;
    port: number;
    tunedWindows: boolean;
    warmupMs: number;
    windowMs: number;
  }
  | { type: "go"; id: number }
  | { type: "close" };

/** What a client measured in one window. */
export interface ClientMeasurement {
  /** Operations completed in the window. */
  ops: number;
  /** From the window's start until the last operation ended, in ms. */
  elapsedMs: number;
  /** Median and 99th percentile operation latency, in ms. */
  p50Ms: number;
  p99Ms: number;
  /** The client process's usage over the window. */
  use: ResourceUse;
}

/** Client child → parent. */
export type FromClient =
  | { type: "ready" }
  | { type: "warm"; id: number }
  | { type: "result"; id: number; measurement: ClientMeasurement }
  | { type: "error"; id: number; message: string };
