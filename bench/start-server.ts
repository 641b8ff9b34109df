/**
 * Starts one benchmark server peer in this process and prints its port:
 * `start-server.ts <peer> [tuned 0|1] [repo root]`; SIGTERM stops it. Used by
 * `h2load-ab.sh`, which loads two servers at once.
 *
 * @module
 */
import process from "node:process";

const [peer, tuned, root] = process.argv.slice(2);
const base = root === undefined ? new URL("..", import.meta.url).pathname : `${root}/`;
const { startServer } = await import(`${base}bench/peers/${peer}-server.ts`);
const server = await startServer({ tunedWindows: tuned !== "0" });
const stop = () => process.exit(0);
(globalThis as { Deno?: { addSignalListener(s: string, f: () => void): void } }).Deno
  ?.addSignalListener("SIGTERM", stop);
process.on("SIGTERM", stop);
console.log(server.port);
