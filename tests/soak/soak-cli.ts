// `npm run soak`: a million unary calls, then ten thousand concurrent
// streams, against one wirecall HTTP/2 server process on 127.0.0.1; prints
// the report and exits non-zero when a call was lost. Bounded in time.
//   node --conditions=wirecall-source tests/soak/soak-cli.ts [--unary N] [--streams N] [--minutes M]
import process from "node:process";
import { runSoak } from "./soak.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const report = await runSoak({
  unaryCalls: flag("unary", 1_000_000),
  concurrency: flag("concurrency", 64),
  streams: flag("streams", 10_000),
  messagesPerStream: flag("messages", 4),
  streamsPerConnection: 1_000,
  timeLimitMs: flag("minutes", 20) * 60_000,
}, (line) => console.log(line));
const { samples: _samples, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
const lost = report.unary.failed + report.streams.failed;
console.log(
  `soak: ${report.unary.ok} unary ok (${report.unary.perSecond}/s), ${report.streams.ok} streams ok, ` +
    `${lost} lost; RSS ${report.rssStartMiB} MiB at start, ${report.rssAfterUnaryMiB} after the unary ` +
    `phase (slope over its second half ${report.rssSlopeMiBPerMin} MiB/min, heap ` +
    `${report.heapSlopeMiBPerMin} MiB/min, live heap ${report.heapBytesPerCall} B per call), peak ${report.rssPeakMiB} with the streams open, ` +
    `${report.rssEndMiB} at the end`,
);
process.exit(lost > 0 || report.interrupted ? 1 : 0);
