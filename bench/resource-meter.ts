/**
 * CPU time and peak resident memory of the current process between two
 * snapshots. RSS is sampled on a timer, because `maxRSS` only ever grows
 * over a process's life and the benchmark wants each window's peak.
 *
 * @module
 */
import process from "node:process";

/** What the process used between two snapshots. */
export interface ResourceUse {
  /** User + system CPU time, in microseconds. */
  cpuMicros: number;
  /** The highest RSS sampled, in bytes. */
  rssPeakBytes: number;
  /** The process's lifetime peak RSS from `resourceUsage().maxRSS`, in bytes. */
  maxRssBytes: number;
}

/** Samples RSS every `intervalMs` and reports usage since the last snapshot. */
export class ResourceMeter {
  #cpu = process.cpuUsage();
  #peak = process.memoryUsage.rss();
  #timer: ReturnType<typeof setInterval>;

  constructor(intervalMs = 25) {
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  #sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.#peak) this.#peak = rss;
  }

  /** Usage since the previous snapshot; starts a new interval. */
  snapshot(): ResourceUse {
    this.#sample();
    const cpu = process.cpuUsage(this.#cpu);
    const use = {
      cpuMicros: cpu.user + cpu.system,
      rssPeakBytes: this.#peak,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    this.#cpu = process.cpuUsage();
    this.#peak = process.memoryUsage.rss();
    return use;
  }

  /** Stops sampling. */
  stop(): void {
    clearInterval(this.#timer);
  }
}
