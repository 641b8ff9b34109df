/**
 * The bridge from wirecall to Connect: hand any wirecall transport to
 * `@connectrpc/connect`'s `createClient`.
 *
 * @example
 * ```ts
 * import { createClient } from "@connectrpc/connect";
 * import { toConnectTransport } from "wirecall/connect";
 * ```
 *
 * @module
 */
export { type ConnectBridgeOptions, toConnectTransport } from "./connect-transport.ts";
