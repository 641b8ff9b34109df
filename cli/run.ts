import { readFileSync } from "node:fs";
import {
  type DescMethod,
  type FileRegistry,
  fromJson,
  type JsonValue,
  type Message,
  toJson,
} from "@bufbuild/protobuf";
import { type CallOptions, Code, codeName, createClient, Metadata, RpcError } from "../mod.ts";
import { decodeBase64 } from "../protocol.ts";
import { Health } from "../src/gen/grpc/health/v1/health_pb.ts";
import { type CliArgs, parseArgs, usage, UsageError } from "./args.ts";
import { CliFailure } from "./cli-failure.ts";
import { describeSymbol, rpcLine } from "./describe.ts";
import { ReflectionClient } from "./reflection-client.ts";
import {
  findMethod,
  localSchema,
  parseMethodName,
  reflectionSchema,
  type SchemaSource,
} from "./schema-source.ts";
import { openTargets, type Targets } from "./target.ts";

/** Where the CLI reads and writes; the real process, or a test's buffers. */
export interface CliIO {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
}

/** The exit code of a failed call: 64 plus its gRPC status code, as grpcurl exits. */
export const STATUS_EXIT_OFFSET = 64;

/** A status code's name as grpcurl prints it (Go's spelling: `NotFound`, `Canceled`). */
export function goCodeName(code: Code): string {
  if (code === Code.CANCELLED) return "Canceled";
  return codeName(code).toLowerCase().replace(
    /(^|_)([a-z])/g,
    (_m, _u, c: string) => c.toUpperCase(),
  );
}

function metadataOf(headers: readonly string[]): Metadata {
  const md = new Metadata();
  for (const h of headers) {
    const colon = h.indexOf(":");
    if (colon <= 0) throw new CliFailure(`-H "${h}" is not "key: value"`);
    const key = h.slice(0, colon).trim().toLowerCase();
    const value = h.slice(colon + 1).trim();
    try {
      md.append(key, key.endsWith("-bin") ? decodeBase64(value) : value);
    } catch (e) {
      throw new CliFailure(`-H "${h}": ${(e as Error).message}`);
    }
  }
  return md;
}

/** Splits request text into JSON values: one document, or one per line (NDJSON). */
function jsonValues(text: string, where: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  try {
    return [JSON.parse(trimmed)];
  } catch {
    return trimmed.split("\n").filter((l) => l.trim() !== "").map((line, i) => {
      try {
        return JSON.parse(line);
      } catch (e) {
        throw new CliFailure(`${where}, line ${i + 1}: not JSON: ${(e as Error).message}`);
      }
    });
  }
}

async function requestText(
  args: CliArgs,
  io: CliIO,
): Promise<{ text: string; where: string } | undefined> {
  if (args.data === undefined) return undefined;
  if (args.data === "@-" || args.data === "@") {
    return { text: await io.readStdin(), where: "stdin" };
  }
  if (args.data.startsWith("@")) {
    const path = args.data.slice(1);
    try {
      return { text: readFileSync(path, "utf8"), where: path };
    } catch (e) {
      throw new CliFailure(`cannot read ${path}: ${(e as Error).message}`);
    }
  }
  return { text: args.data, where: "-d" };
}

function formatMetadata(md: Metadata): string {
  const lines: string[] = [];
  for (const [k, v] of md) {
    lines.push(`${k}: ${typeof v === "string" ? v : `(${v.byteLength} bytes)`}`);
  }
  return lines.length === 0 ? "(empty)" : lines.join("\n");
}

async function call(
  args: CliArgs,
  io: CliIO,
  targets: Targets,
  schema: SchemaSource,
  name: string,
): Promise<number> {
  const { service } = parseMethodName(name);
  const registry: FileRegistry = await schema.registry([service]);
  const method: DescMethod = findMethod(registry, name);
  const input = await requestText(args, io);
  const source = input ??
    (method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming"
      ? { text: await io.readStdin(), where: "stdin" }
      : { text: "{}", where: "-d" });
  const messages = jsonValues(source.text, source.where).map((json, i) => {
    try {
      return fromJson(method.input, json as JsonValue, { registry });
    } catch (e) {
      throw new CliFailure(`${source.where}, message ${i + 1}: ${(e as Error).message}`);
    }
  });
  const metadata = metadataOf(args.headers);
  const print = (m: Message) => {
    if (args.verbose && received === 0) io.out("\nResponse contents:\n");
    io.out(
      JSON.stringify(
        toJson(method.output, m, { registry, alwaysEmitImplicit: args.emitDefaults }),
        null,
        2,
      ) + "\n",
    );
  };
  if (args.verbose) {
    io.out(
      `\nResolved method descriptor:\n${rpcLine(method)}\n\nRequest metadata to send:\n${
        formatMetadata(metadata)
      }\n`,
    );
  }
  const options: CallOptions = {
    metadata,
    timeoutMs: args.maxTimeSeconds === undefined ? undefined : args.maxTimeSeconds * 1000,
    onHeader: (h) => {
      if (args.verbose) io.out(`\nResponse headers received:\n${formatMetadata(h)}\n`);
    },
    onTrailer: (t) => {
      if (args.verbose) io.out(`\nResponse trailers received:\n${formatMetadata(t)}\n`);
    },
  };
  const client = createClient(method.parent, targets.call) as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  const fn = client[method.localName];
  let received = 0;
  const requestStream = method.methodKind === "client_streaming" ||
    method.methodKind === "bidi_streaming";
  const requests = (async function* () {
    for (const m of messages) yield m;
  })();
  if (!requestStream && messages.length > 1) {
    throw new CliFailure(`${method.name} takes one request message, got ${messages.length}`);
  }
  const request = requestStream ? requests : (messages[0] ?? fromJson(method.input, {}));
  if (method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming") {
    for await (const m of fn(request, options) as AsyncIterable<Message>) {
      print(m);
      received++;
    }
  } else {
    print(await (fn(request, options) as Promise<Message>));
    received++;
  }
  if (args.verbose) {
    const sent = requestStream ? messages.length : 1;
    io.out(
      `\nSent ${sent} request${sent === 1 ? "" : "s"} and received ${received} response${
        received === 1 ? "" : "s"
      }\n`,
    );
  }
  return 0;
}

async function run(args: CliArgs, io: CliIO): Promise<number> {
  const [host, ...rest] = args.positional;
  if (args.help || args.command === "") {
    io.out(usage + "\n");
    return args.help ? 0 : 2;
  }
  if (!["list", "describe", "call", "health"].includes(args.command)) {
    throw new UsageError(`unknown command "${args.command}"; try list, describe, call or health`);
  }
  if (host === undefined) throw new UsageError(`${args.command} needs HOST (host:port or a URL)`);
  const local = await localSchema(args);
  const targets = openTargets(host, args);
  const callOptions: CallOptions = {
    metadata: metadataOf(args.headers),
    timeoutMs: args.maxTimeSeconds === undefined ? undefined : args.maxTimeSeconds * 1000,
  };
  const schema = () => local ?? reflectionSchema(new ReflectionClient(targets.grpc, callOptions));
  try {
    switch (args.command) {
      case "list": {
        if (rest.length === 0) {
          io.out((await schema().services()).join("\n") + "\n");
          return 0;
        }
        const s = (await schema().registry([rest[0]])).getService(rest[0]);
        if (s === undefined) throw new CliFailure(`service "${rest[0]}" not found`);
        io.out(s.methods.map((m) => `${s.typeName}.${m.name}`).join("\n") + "\n");
        return 0;
      }
      case "describe": {
        const source = schema();
        const symbols = rest.length > 0 ? rest : await source.services();
        const registry = await source.registry(symbols.map((s) => s.replace(/^\./, "")));
        io.out(symbols.map((s) => describeSymbol(registry, s)).join("\n\n") + "\n");
        return 0;
      }
      case "call":
        if (rest[0] === undefined) throw new UsageError("call needs a method: pkg.Service/Method");
        return await call(args, io, targets, schema(), rest[0]);
      case "health": {
        const res = await createClient(Health, targets.call).check(
          { service: rest[0] ?? "" },
          callOptions,
        );
        const status = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][res.status] ??
          String(res.status);
        io.out(JSON.stringify({ status }, null, 2) + "\n");
        return status === "SERVING" ? 0 : 1;
      }
    }
    return 2;
  } finally {
    await targets.close();
  }
}

/**
 * Runs the `wirecall` CLI on `argv` (the arguments after the program name)
 * and returns the exit code: 0 on success, 1 for failures before or around
 * the call, 2 for usage errors, 64 + the gRPC code for a failed call, with
 * the status printed as grpcurl prints it.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  try {
    return await run(parseArgs(argv), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`wirecall: ${e.message}\n\n${usage}\n`);
      return 2;
    }
    if (e instanceof CliFailure) {
      io.err(`Failed: ${e.message}\n`);
      return 1;
    }
    if (e instanceof RpcError) {
      let text = `ERROR:\n  Code: ${goCodeName(e.code)}\n  Message: ${e.rawMessage}\n`;
      if (e.details.length > 0) {
        text += `  Details:\n${e.details.map((d, i) => `  ${i + 1})\t${d.typeUrl}`).join("\n")}\n`;
      }
      io.err(text);
      return STATUS_EXIT_OFFSET + e.code;
    }
    io.err(`Failed: ${(e as Error)?.stack ?? e}\n`);
    return 1;
  }
}
