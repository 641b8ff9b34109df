/**
 * A benchmark server child: `server-process.ts <peer> <tuned 0|1>` starts
 * `peers/<peer>-server.ts`, reports its port, and answers usage snapshots.
 *
 * @module
 */
import process from "node:process";
import type { FromServer, ToServer } from "./child-messages.ts";
import type { StartServer } from "./peer.ts";
import { ResourceMeter } from "./resource-meter.ts";

const [peer, tuned] = process.argv.slice(2);
const send = (m: FromServer) => process.send!(m);

try {
  const { startServer } = await import(`./peers/${peer}-server.ts`) as { startServer: StartServer };
  const server = await startServer({ tunedWindows: tuned === "1" });
  const meter = new ResourceMeter();
  process.on("message", async (m: ToServer) => {
    if (m.type === "snapshot") {
      send({ type: "snapshot", id: m.id, use: meter.snapshot() });
    } else if (m.type === "close") {
      meter.stop();
      await server.close();
      process.exit(0);
    }
  });
  send({ type: "ready", port: server.port });
} catch (e) {
  send({ type: "error", message: e instanceof Error ? e.stack ?? e.message : String(e) });
  process.exit(1);
}
