// The soak: a bounded load against one wirecall HTTP/2 server process on
// 127.0.0.1 — many unary calls, then many concurrent bidi streams — while the
// server samples its RSS, heap and open handles four times a second. It passes when
// no call is lost and memory levels off (the slope of RSS over the second
// half of the run, by least squares, is reported; the server collects garbage
// before each sample, so its live heap per call over the second half of the
// unary phase shows a leak whatever the machine's speed).
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { createClient } from "wirecall";
import { createHttp2Transport } from "wirecall/transports/http2";
import { DemoService } from "../../protos/gen/wirecall/demo/v1/demo_pb.ts";

/** What to run. */
export interface SoakPlan {
  /** Unary calls in all. */
  unaryCalls: number;
  /** Unary calls in flight at once. */
  concurrency: number;
  /** Bidi streams open at once, in the stream phase. */
  streams: number;
  /** Messages each stream sends (and gets echoed). */
  messagesPerStream: number;
  /** Streams per connection (the server allows 2000). */
  streamsPerConnection: number;
  /** The whole soak stops after this long, whatever is left. */
  timeLimitMs: number;
}

/** One sample of the server process. */
export interface Sample {
  t: number;
  rss: number;
  heapUsed: number;
  handles: number;
  /** Unary calls the server has answered so far. */
  calls: number;
}

/** What the soak saw. */
export interface SoakReport {
  unary: { sent: number; ok: number; failed: number; perSecond: number };
  streams: { opened: number; ok: number; failed: number; messages: number };
  samples: Sample[];
  /** RSS over the second half of the unary phase, MiB per minute (least squares). */
  rssSlopeMiBPerMin: number;
  /** Heap used over the second half of the unary phase, MiB per minute. */
  heapSlopeMiBPerMin: number;
  /**
   * Live heap (after a full collection) gained per unary call over the second
   * half of the unary phase, in bytes: about 0 when nothing leaks, the size of
   * the leak when something does. NaN when too few calls were sampled.
   */
  heapBytesPerCall: number;
  /** Unary calls between the two samples `heapBytesPerCall` compares. */
  heapSampledCalls: number;
  /** RSS at the end of the unary phase, MiB. */
  rssAfterUnaryMiB: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  handlesEnd: number;
  durationMs: number;
  firstError: string | undefined;
  /** True when the time limit stopped the run early. */
  interrupted: boolean;
}

function slope(samples: Sample[], pick: (s: Sample) => number): number {
  const half = samples.slice(Math.floor(samples.length / 2));
  if (half.length < 2) return 0;
  const n = half.length;
  const mx = half.reduce((a, s) => a + s.t, 0) / n;
  const my = half.reduce((a, s) => a + pick(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of half) {
    num += (s.t - mx) * (pick(s) - my);
    den += (s.t - mx) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000 / (1024 * 1024);
}

/** Starts the server process under the runtime running this code. */
function startServer(): {
  child: ReturnType<typeof spawn>;
  port: Promise<number>;
  samples: Sample[];
} {
  const here = fileURLToPath(import.meta.url);
  const ext = here.endsWith(".js") ? ".js" : ".ts";
  const script = here.replace(/soak\.(ts|js)$/, `soak-server${ext}`);
  const deno = (globalThis as { Deno?: { execPath(): string } }).Deno;
  const child = deno !== undefined
    ? spawn(deno.execPath(), ["run", "-A", "--v8-flags=--expose-gc", script], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    : spawn(
      process.execPath,
      [...(ext === ".ts" ? ["--conditions=wirecall-source"] : []), "--expose-gc", script],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
  const samples: Sample[] = [];
  let buffer = "";
  const port = new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`soak server exited (${code})`)));
    child.stdout!.on("data", (chunk: Uint8Array) => {
      buffer += new TextDecoder().decode(chunk);
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        const m = /^listening (\d+)$/.exec(line);
        if (m !== null) resolve(Number(m[1]));
        else if (line.startsWith("{")) samples.push(JSON.parse(line) as Sample);
      }
    });
  });
  return { child, port, samples };
}

/** Runs `plan` and reports; the server process is stopped at the end. */
export async function runSoak(
  plan: SoakPlan,
  log: (line: string) => void = () => {},
): Promise<SoakReport> {
  const server = startServer();
  const port = await server.port;
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  const deadline = started + plan.timeLimitMs;
  let firstError: string | undefined;
  let interrupted = false;
  const fail = (e: unknown) => (firstError ??= String((e as Error)?.message ?? e));

  // Unary phase.
  const transport = createHttp2Transport({ baseUrl: url });
  const client = createClient(DemoService, transport);
  const unary = { sent: 0, ok: 0, failed: 0, perSecond: 0 };
  const unaryStart = Date.now();
  let lastLog = unaryStart;
  await Promise.all(Array.from({ length: plan.concurrency }, async () => {
    while (unary.sent < plan.unaryCalls) {
      if (Date.now() > deadline) {
        interrupted = true;
        return;
      }
      const n = unary.sent++;
      try {
        const r = await client.greet({ name: `n${n % 1000}` }, { timeoutMs: 30_000 });
        if (r.greeting === `Hello, n${n % 1000}!`) unary.ok++;
        else unary.failed++, fail(`wrong answer ${r.greeting}`);
      } catch (e) {
        unary.failed++;
        fail(e);
      }
      if (Date.now() - lastLog > 5_000) {
        lastLog = Date.now();
        log(`unary: ${unary.ok} ok, ${unary.failed} failed`);
      }
    }
  }));
  unary.perSecond = Math.round(unary.sent / ((Date.now() - unaryStart) / 1000));
  const unarySamples = server.samples.length;
  await transport.close();
  log(`unary done: ${unary.ok}/${unary.sent} in ${Date.now() - unaryStart} ms`);

  // Stream phase: all streams open at once, over several connections.
  const streams = { opened: 0, ok: 0, failed: 0, messages: 0 };
  const connections = Math.max(1, Math.ceil(plan.streams / plan.streamsPerConnection));
  const transports = Array.from(
    { length: connections },
    () => createHttp2Transport({ baseUrl: url }),
  );
  if (Date.now() <= deadline) {
    let release!: () => void;
    const allOpen = new Promise<void>((r) => (release = r));
    let open = 0;
    await Promise.all(Array.from({ length: plan.streams }, async (_, i) => {
      const c = createClient(DemoService, transports[i % connections]);
      const texts = Array.from({ length: plan.messagesPerStream }, (_, k) => `s${i}m${k}`);
      async function* requests() {
        yield { text: texts[0] };
        // Every stream is open before any sends its next messages.
        if (++open === plan.streams) release();
        await allOpen;
        for (const t of texts.slice(1)) yield { text: t };
      }
      streams.opened++;
      try {
        let k = 0;
        for await (const r of c.chat(requests(), { timeoutMs: 120_000 })) {
          if (r.text !== `echo: ${texts[k++]}`) {
            throw new Error(`stream ${i}: wrong echo ${r.text}`);
          }
          streams.messages++;
        }
        if (k !== texts.length) throw new Error(`stream ${i}: ${k} of ${texts.length} echoes`);
        streams.ok++;
      } catch (e) {
        streams.failed++;
        fail(e);
        if (++open === plan.streams) release();
      }
    }));
  } else interrupted = true;
  for (const t of transports) await t.close();
  log(`streams done: ${streams.ok}/${streams.opened}`);

  // A few quiet seconds, so the last samples show where memory settles.
  await new Promise((r) => setTimeout(r, 3_000));
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  const samples = server.samples;
  const unaryPart = samples.slice(0, unarySamples);
  const mid = unaryPart[Math.floor(unaryPart.length / 2)];
  const last = unaryPart.at(-1);
  const heapSampledCalls = mid && last ? last.calls - mid.calls : 0;
  const mib = (b: number) => Math.round((b / (1024 * 1024)) * 10) / 10;
  return {
    unary,
    streams,
    samples,
    rssSlopeMiBPerMin: Math.round(slope(samples.slice(0, unarySamples), (s) => s.rss) * 100) / 100,
    heapSlopeMiBPerMin: Math.round(slope(samples.slice(0, unarySamples), (s) => s.heapUsed) * 100) /
      100,
    heapBytesPerCall: heapSampledCalls > 0
      ? Math.round((last!.heapUsed - mid!.heapUsed) / heapSampledCalls)
      : NaN,
    heapSampledCalls,
    rssAfterUnaryMiB: mib(samples[unarySamples - 1]?.rss ?? 0),
    rssStartMiB: mib(samples[0]?.rss ?? 0),
    rssPeakMiB: mib(Math.max(...samples.map((s) => s.rss))),
    rssEndMiB: mib(samples.at(-1)?.rss ?? 0),
    handlesEnd: samples.at(-1)?.handles ?? -1,
    durationMs: Date.now() - started,
    firstError,
    interrupted,
  };
}
