import { readFileSync } from "node:fs";
import type { Transport } from "../mod.ts";
import { createConnectTransport } from "../transports/connect/mod.ts";
import { createGrpcWebTransport } from "../transports/grpc-web/mod.ts";
import { createNodeFetch } from "../transports/grpc-web/node.ts";
import { createHttp2Transport } from "../transports/http2/mod.ts";
import type { CliArgs } from "./args.ts";
import { CliFailure } from "./cli-failure.ts";

/** The base URL of HOST (`host:port` or a URL), with the scheme `--plaintext` implies. */
export function baseUrlOf(host: string, args: CliArgs): string {
  if (/^https?:\/\//.test(host)) return host.replace(/\/+$/, "");
  if (!/^(\[[^\]]+\]|[^:/]+):\d+$/.test(host)) {
    throw new CliFailure(`"${host}" is not host:port or an http(s) URL`);
  }
  return `${args.plaintext ? "http" : "https"}://${host}`;
}

function read(path: string | undefined, what: string): string | undefined {
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new CliFailure(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

/** The transports a command uses: the call's protocol, and native gRPC for reflection and health. */
export interface Targets {
  call: Transport;
  grpc: Transport;
  close(): Promise<void>;
}

/** Opens transports to HOST as the flags say (protocol, TLS, certificates). */
export function openTargets(host: string, args: CliArgs): Targets {
  const baseUrl = baseUrlOf(host, args);
  const ca = read(args.cacert, "CA certificate");
  const cert = read(args.cert, "certificate");
  const key = read(args.key, "key");
  if ((cert === undefined) !== (key === undefined)) {
    throw new CliFailure("--cert and --key go together");
  }
  const secure = baseUrl.startsWith("https:");
  const grpc = createHttp2Transport({
    baseUrl,
    tls: secure
      ? { ca, cert, key, serverName: args.servername, rejectUnauthorized: !args.insecure }
      : undefined,
  });
  let call: Transport = grpc;
  let closeFetch = (): Promise<void> => Promise.resolve();
  if (args.protocol !== "grpc") {
    if (cert !== undefined || args.servername !== undefined || args.insecure) {
      throw new CliFailure(
        `--cert/--key, --servername and --insecure work with --protocol grpc only`,
      );
    }
    const fetch = createNodeFetch({ ca });
    closeFetch = () => fetch.close();
    call = args.protocol === "connect"
      ? createConnectTransport({ baseUrl, fetch })
      : createGrpcWebTransport({ baseUrl, fetch });
  }
  return {
    call,
    grpc,
    async close() {
      await grpc.close();
      // A fetch-based transport holds no connections; its fetch does.
      await closeFetch();
    },
  };
}
