/**
 * Which client runs against which server. Costs are separated three ways:
 * every server against one neutral client, every client against one neutral
 * server, and each framework end to end. The neutral peer is the bare
 * node:http2 ceiling with tuned windows, which is also every group's
 * reference for ratios.
 *
 * @module
 */
import type { ScenarioKind } from "./scenarios.ts";

/** The implementations compared. */
export type PeerName =
  | "bare"
  | "wirecall"
  | "wirecall-web"
  | "grpc-js"
  | "connect"
  | "rest"
  | "undici-h2"
  /** nghttp2's native load client (not a Node child; see h2load.ts). */
  | "h2load";

/** The runtime a server child runs under. */
export type Runtime = "node" | "deno";

/** One client–server combination. */
export interface Pairing {
  id: string;
  /** What the tables call it. */
  label: string;
  client: PeerName;
  server: PeerName;
  /** Tuned windows for the bare client (frameworks use their own defaults). */
  clientTuned: boolean;
  /** Tuned windows for the bare server (frameworks use their own defaults). */
  serverTuned: boolean;
  /** The scenario kinds it supports (all when undefined). */
  kinds?: ScenarioKind[];
  /** The runtime of the server child (default Node). */
  serverRuntime?: Runtime;
}

/** A table of pairings compared against a reference. */
export interface PairingGroup {
  id: "native" | "deno" | "server" | "client" | "e2e";
  title: string;
  reference: string;
  members: string[];
}

/** The reference of every group: bare client → bare server, tuned windows. */
export const CEILING = "bare-tuned";

const bare = (id: string, label: string, clientTuned: boolean, serverTuned: boolean): Pairing => ({
  id,
  label,
  client: "bare",
  server: "bare",
  clientTuned,
  serverTuned,
});
const pair = (id: string, label: string, client: PeerName, server: PeerName): Pairing => ({
  id,
  label,
  client,
  server,
  clientTuned: true,
  serverTuned: true,
});

/** The reference of the h2load tables: h2load → bare server, tuned windows. */
export const NATIVE_CEILING = "h2load:bare";
/** The reference of the Deno table: h2load → bare server under Deno. */
export const DENO_CEILING = "h2load:bare@deno";

const native = (id: string, label: string, server: PeerName, runtime?: Runtime): Pairing => ({
  id,
  label,
  client: "h2load",
  server,
  clientTuned: true,
  serverTuned: true,
  kinds: ["unary"],
  serverRuntime: runtime,
});

/** Every pairing the benchmark runs. */
export const pairings: Pairing[] = [
  native(NATIVE_CEILING, "bare http2 server (tuned windows)", "bare"),
  native("h2load:wirecall", "wirecall server", "wirecall"),
  native("h2load:grpc-js", "grpc-js server", "grpc-js"),
  native("h2load:connect", "connect-node server", "connect"),
  native(DENO_CEILING, "bare http2 server under Deno", "bare", "deno"),
  native("h2load:wirecall@deno", "wirecall server under Deno", "wirecall", "deno"),
  bare(CEILING, "bare http2 (tuned windows)", true, true),
  bare("bare-default", "bare http2 (default windows)", false, false),
  bare("server:bare-default", "bare http2 server (default windows)", true, false),
  pair("server:wirecall", "wirecall server", "bare", "wirecall"),
  pair("server:grpc-js", "grpc-js server", "bare", "grpc-js"),
  pair("server:connect", "connect-node server", "bare", "connect"),
  pair("client:wirecall", "wirecall client", "wirecall", "bare"),
  pair("client:grpc-js", "grpc-js client", "grpc-js", "bare"),
  pair("client:connect", "connect-node client", "connect", "bare"),
  {
    ...pair("client:undici-h2", "undici HTTP/2 client (experiment)", "undici-h2", "bare"),
    kinds: ["unary"],
  },
  pair("e2e:wirecall", "wirecall → wirecall", "wirecall", "wirecall"),
  pair("e2e:grpc-js", "grpc-js → grpc-js", "grpc-js", "grpc-js"),
  pair("e2e:connect", "connect-node → connect-node", "connect", "connect"),
  {
    ...pair(
      "e2e:wirecall-web",
      "wirecall gRPC-Web over HTTP/1.1 (fetch → hand-off)",
      "wirecall-web",
      "wirecall-web",
    ),
    kinds: ["unary", "serverStream"],
  },
  {
    ...pair("e2e:rest", "REST/JSON HTTP/1.1 (undici → node:http)", "rest", "rest"),
    kinds: ["unary"],
  },
];

/** The three tables. */
export const groups: PairingGroup[] = [
  {
    id: "native",
    title: "Servers under nghttp2's h2load (native load client), Node",
    reference: NATIVE_CEILING,
    members: [NATIVE_CEILING, "h2load:wirecall", "h2load:grpc-js", "h2load:connect"],
  },
  {
    id: "deno",
    title: "Servers under h2load, Deno",
    reference: DENO_CEILING,
    members: [DENO_CEILING, "h2load:wirecall@deno"],
  },
  {
    id: "server",
    title: "Servers, measured with the neutral client (bare http2, tuned windows)",
    reference: CEILING,
    members: [
      CEILING,
      "server:bare-default",
      "server:wirecall",
      "server:grpc-js",
      "server:connect",
    ],
  },
  {
    id: "client",
    title: "Clients, measured against the neutral server (bare http2, tuned windows)",
    reference: CEILING,
    members: [CEILING, "client:wirecall", "client:grpc-js", "client:connect", "client:undici-h2"],
  },
  {
    id: "e2e",
    title: "End to end (each framework's client → its own server)",
    reference: CEILING,
    members: [
      CEILING,
      "bare-default",
      "e2e:wirecall",
      "e2e:grpc-js",
      "e2e:connect",
      "e2e:wirecall-web",
      "e2e:rest",
    ],
  },
];
