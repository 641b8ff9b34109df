// Starts and stops backend-server.ts processes for channel tests.
import {
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from "../support/server-process.ts";

/** Starts a backend-server.ts process (`--port 0` and `args`). */
export function startBackend(args: string[] = []): Promise<ServerProcess> {
  return startServerProcess("channel/backend-server", ["--port", "0", ...args]);
}

/** Kills a backend (unless it is gone already) and waits for it to exit. */
export const stopBackend = stopServerProcess;
