/** The parsed command line of the `wirecall` CLI. */
export interface CliArgs {
  command: string;
  positional: string[];
  plaintext: boolean;
  insecure: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  servername?: string;
  headers: string[];
  data?: string;
  maxTimeSeconds?: number;
  protocol: "grpc" | "grpc-web" | "connect";
  protos: string[];
  importPaths: string[];
  protosets: string[];
  verbose: boolean;
  emitDefaults: boolean;
  help: boolean;
}

/** A command line the CLI cannot run; the message says what to fix. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

const withValue = new Set([
  "--cacert",
  "--cert",
  "--key",
  "--servername",
  "-H",
  "--header",
  "-d",
  "--data",
  "--max-time",
  "--protocol",
  "--proto",
  "-I",
  "--import-path",
  "--protoset",
]);

/**
 * Parses `wirecall COMMAND [flags] ARGS…`. Flags may come anywhere, as
 * `--flag value` or `--flag=value`; `-H` and `--proto`/`-I` repeat.
 */
export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = {
    command: "",
    positional: [],
    plaintext: false,
    insecure: false,
    headers: [],
    protocol: "grpc",
    protos: [],
    importPaths: [],
    protosets: [],
    verbose: false,
    emitDefaults: false,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let value: string | undefined;
    if (flag.startsWith("--") && flag.includes("=")) {
      value = flag.slice(flag.indexOf("=") + 1);
      flag = flag.slice(0, flag.indexOf("="));
    }
    if (withValue.has(flag)) {
      if (value === undefined) {
        if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
        value = argv[++i];
      }
      switch (flag) {
        case "--cacert":
          args.cacert = value;
          break;
        case "--cert":
          args.cert = value;
          break;
        case "--key":
          args.key = value;
          break;
        case "--servername":
          args.servername = value;
          break;
        case "-H":
        case "--header":
          args.headers.push(value);
          break;
        case "-d":
        case "--data":
          args.data = value;
          break;
        case "--max-time": {
          const n = Number(value);
          if (!(n > 0)) {
            throw new UsageError(`--max-time takes a number of seconds, got "${value}"`);
          }
          args.maxTimeSeconds = n;
          break;
        }
        case "--protocol":
          if (value !== "grpc" && value !== "grpc-web" && value !== "connect") {
            throw new UsageError(`--protocol is grpc, grpc-web or connect, got "${value}"`);
          }
          args.protocol = value;
          break;
        case "--proto":
          args.protos.push(value);
          break;
        case "-I":
        case "--import-path":
          args.importPaths.push(value);
          break;
        case "--protoset":
          args.protosets.push(value);
          break;
      }
      continue;
    }
    switch (flag) {
      case "--plaintext":
        args.plaintext = true;
        break;
      case "--insecure":
        args.insecure = true;
        break;
      case "-v":
      case "--verbose":
        args.verbose = true;
        break;
      case "--emit-defaults":
        args.emitDefaults = true;
        break;
      case "-h":
      case "--help":
        args.help = true;
        break;
      default:
        if (flag.startsWith("-") && flag !== "-") throw new UsageError(`unknown flag ${flag}`);
        if (args.command === "") args.command = flag;
        else args.positional.push(flag);
    }
  }
  return args;
}

/** The CLI's help text. */
export const usage = `Usage: wirecall COMMAND [flags] HOST [ARGS]

Commands:
  list HOST [SERVICE]          list services (or the methods of SERVICE)
  describe HOST SYMBOL         show a service, method, message or enum
  call HOST pkg.Service/Method call a method; request JSON from -d, or stdin
  health HOST [SERVICE]        ask grpc.health.v1 whether the server (or SERVICE) serves

HOST is host:port or a URL. Schemas come from server reflection unless
--proto or --protoset is given.

Flags:
  --plaintext                  no TLS (h2c for gRPC, http:// for the web protocols)
  --cacert FILE                trust this CA certificate (PEM)
  --cert FILE --key FILE       client certificate for mutual TLS
  --servername NAME            the name to verify the server certificate against
  --insecure                   skip verifying the server certificate
  -H 'key: value'              request metadata (repeatable)
  -d JSON | -d @FILE | -d @-   the request; several JSON values for client streams
  --max-time SECONDS           the call's deadline
  --protocol grpc|grpc-web|connect
  --proto FILE -I DIR          local .proto files, compiled by wirecall's compiler
  --protoset FILE              a FileDescriptorSet (protoc -o / buf build -o)
  --emit-defaults              print fields with default values
  -v                           print headers and trailers too

Exit codes: 0 OK; 1 failure before the call (bad input, no schema, no
connection); 64 + the gRPC code when the call fails (as grpcurl).`;
