/**
 * Looks a host name up: resolves with its IP addresses (IPv4 and IPv6, in the
 * order the system prefers). `dnsServer` is the server a `dns://server/host`
 * target names, or empty for the system's resolver.
 */
export type DnsLookup = (host: string, options: { dnsServer: string }) => Promise<string[]>;

interface NodeDns {
  promises: {
    lookup(
      host: string,
      options: { all: true; verbatim?: boolean },
    ): Promise<Array<{ address: string; family: number }>>;
    Resolver: new () => {
      setServers(servers: string[]): void;
      resolve4(host: string): Promise<string[]>;
      resolve6(host: string): Promise<string[]>;
    };
  };
}

let cached: DnsLookup | null | undefined;

function probe(): DnsLookup | null {
  // The core imports no runtime module: it asks the runtime for its DNS
  // module where there is one (Node, Deno, Bun, workerd with nodejs_compat).
  // Browsers have none; there a DNS target is one endpoint that fetch resolves.
  let dns: NodeDns | undefined;
  try {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    dns = proc?.getBuiltinModule?.("node:dns") as NodeDns | undefined;
  } catch {
    dns = undefined;
  }
  if (dns?.promises?.lookup === undefined) return null;
  const { promises } = dns;
  return async (host, { dnsServer }) => {
    if (dnsServer === "") {
      const found = await promises.lookup(host, { all: true, verbatim: true });
      return found.map((a) => a.address);
    }
    const resolver = new promises.Resolver();
    resolver.setServers([dnsServer]);
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const out = [
      ...(v4.status === "fulfilled" ? v4.value : []),
      ...(v6.status === "fulfilled" ? v6.value : []),
    ];
    if (out.length === 0 && v4.status === "rejected") throw v4.reason;
    return out;
  };
}

/**
 * The runtime's DNS lookup (`node:dns` through `process.getBuiltinModule`),
 * or `undefined` where the runtime has none, such as a browser.
 *
 * @example
 * ```ts
 * import { runtimeDnsLookup } from "wirecall";
 * const lookup = runtimeDnsLookup();
 * if (lookup) console.log(await lookup("localhost", { dnsServer: "" }));
 * ```
 */
export function runtimeDnsLookup(): DnsLookup | undefined {
  if (cached === undefined) cached = probe();
  return cached ?? undefined;
}
