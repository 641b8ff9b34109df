// Sends one hostile byte sequence on a fresh raw connection and says what the
// server answered, for the battery's assertions and its report.
import process from "node:process";
import { FrameType, PREFACE, RawH2Connection, settings } from "./h2-wire.ts";

/** What a hostile connection got back. */
export interface Outcome {
  /** The GOAWAY error code, if the server sent one. */
  goaway: number | undefined;
  /** RST_STREAM codes the server sent, by stream. */
  resets: Map<number, number>;
  /** Streams that got a HEADERS frame back. */
  answered: Set<number>;
  /** PING ACKs received. */
  pingAcks: number;
  /** True when the server closed the connection within the wait. */
  closed: boolean;
  /** CPU this process spent meanwhile, in ms (the server's, when this process hosts it). */
  cpuMs: number;
}

const GOAWAY_NAMES: Record<number, string> = {
  0: "NO_ERROR",
  1: "PROTOCOL_ERROR",
  2: "INTERNAL_ERROR",
  3: "FLOW_CONTROL_ERROR",
  6: "FRAME_SIZE_ERROR",
  9: "COMPRESSION_ERROR",
  11: "ENHANCE_YOUR_CALM",
};

/** A one-line summary, such as `GOAWAY(ENHANCE_YOUR_CALM), closed`. */
export function describeOutcome(o: Outcome): string {
  const parts: string[] = [];
  if (o.goaway !== undefined) parts.push(`GOAWAY(${GOAWAY_NAMES[o.goaway] ?? o.goaway})`);
  if (o.resets.size > 0) {
    const codes = [...new Set(o.resets.values())].map((c) => GOAWAY_NAMES[c] ?? c);
    parts.push(`RST_STREAM(${codes.join("/")}) ×${o.resets.size}`);
  }
  if (o.answered.size > 0) parts.push(`${o.answered.size} answered`);
  if (o.pingAcks > 0) parts.push(`${o.pingAcks} PING ACKs`);
  parts.push(o.closed ? "closed" : "left open");
  return parts.join(", ");
}

/**
 * Connects to `port`, writes the preface, an empty SETTINGS and `payload`
 * (in pieces of at most `chunk` bytes), then waits up to `waitMs` for the
 * server to close the connection.
 */
export async function probe(
  port: number,
  payload: Uint8Array | Uint8Array[],
  options: { waitMs?: number; preface?: boolean } = {},
): Promise<Outcome> {
  const c = new RawH2Connection(port);
  await c.connected;
  const cpu = process.cpuUsage();
  if (options.preface !== false) await c.write(PREFACE), await c.write(settings());
  for (const part of Array.isArray(payload) ? payload : [payload]) {
    // A client stops once it got the server's GOAWAY; writing on would only
    // draw a TCP reset, which can discard the GOAWAY before it is read.
    if (c.socket.destroyed || c.goawayCode() !== undefined) break;
    await c.write(part);
    await new Promise((r) => setTimeout(r, 0));
  }
  const wait = options.waitMs ?? 2_000;
  await Promise.race([c.closed, new Promise((r) => setTimeout(r, wait))]);
  const used = process.cpuUsage(cpu);
  const outcome: Outcome = {
    goaway: c.goawayCode(),
    resets: new Map(),
    answered: new Set(),
    pingAcks: 0,
    closed: c.socket.destroyed || c.socket.readableEnded,
    cpuMs: (used.user + used.system) / 1000,
  };
  for (const f of c.frames) {
    if (f.type === FrameType.RST_STREAM) {
      outcome.resets.set(f.streamId, new DataView(f.payload.buffer).getUint32(0));
    } else if (f.type === FrameType.HEADERS) outcome.answered.add(f.streamId);
    else if (f.type === FrameType.PING && (f.flags & 1) !== 0) outcome.pingAcks++;
  }
  c.destroy();
  return outcome;
}
