import type {
  DescEnum,
  DescField,
  DescMessage,
  DescMethod,
  DescService,
  FileRegistry,
} from "@bufbuild/protobuf";
import { CliFailure } from "./cli-failure.ts";

function typeOf(f: DescField): string {
  const base = (kind: string, f2: DescField): string => {
    switch (kind) {
      case "message":
        return "." + (f2 as { message: DescMessage }).message.typeName;
      case "enum":
        return "." + (f2 as { enum: DescEnum }).enum.typeName;
      default:
        return scalarName(f2);
    }
  };
  if (f.fieldKind === "list") {
    return "repeated " +
      (f.listKind === "scalar" ? scalarName(f) : "." + (f.message ?? f.enum)!.typeName);
  }
  if (f.fieldKind === "map") {
    const value = f.mapKind === "scalar" ? scalarName(f) : "." + (f.message ?? f.enum)!.typeName;
    return `map<${scalarName(f, "mapKey")}, ${value}>`;
  }
  return base(f.fieldKind, f);
}

const scalarNames: Record<number, string> = {
  1: "double",
  2: "float",
  3: "int64",
  4: "uint64",
  5: "int32",
  6: "fixed64",
  7: "fixed32",
  8: "bool",
  9: "string",
  12: "bytes",
  13: "uint32",
  15: "sfixed32",
  16: "sfixed64",
  17: "sint32",
  18: "sint64",
};

function scalarName(f: DescField, which: "scalar" | "mapKey" = "scalar"): string {
  const n = (f as unknown as Record<string, number | undefined>)[which];
  return n === undefined ? "?" : scalarNames[n] ?? `scalar${n}`;
}

/** One method as a `rpc` line, as grpcurl prints it. */
export function rpcLine(m: DescMethod): string {
  const cs = m.methodKind === "client_streaming" || m.methodKind === "bidi_streaming";
  const ss = m.methodKind === "server_streaming" || m.methodKind === "bidi_streaming";
  return `rpc ${m.name} ( ${cs ? "stream " : ""}.${m.input.typeName} ) returns ( ${
    ss ? "stream " : ""
  }.${m.output.typeName} );`;
}

function serviceText(s: DescService): string {
  const lines = s.methods.map((m) => "  " + rpcLine(m));
  return `service ${s.name} {\n${lines.join("\n")}\n}`;
}

function messageText(m: DescMessage): string {
  const lines = m.fields.map((f) => `  ${typeOf(f)} ${f.name} = ${f.number};`);
  return `message ${m.name} {\n${lines.join("\n")}\n}`;
}

function enumText(e: DescEnum): string {
  const lines = e.values.map((v) => `  ${v.name} = ${v.number};`);
  return `enum ${e.name} {\n${lines.join("\n")}\n}`;
}

/** Describes a symbol as grpcurl does: what it is, then its definition in .proto syntax. */
export function describeSymbol(registry: FileRegistry, symbol: string): string {
  const name = symbol.replace(/^\./, "");
  const service = registry.getService(name);
  if (service !== undefined) return `${name} is a service:\n${serviceText(service)}`;
  const message = registry.getMessage(name);
  if (message !== undefined) return `${name} is a message:\n${messageText(message)}`;
  const enumeration = registry.getEnum(name);
  if (enumeration !== undefined) return `${name} is an enum:\n${enumText(enumeration)}`;
  const dot = name.lastIndexOf(".");
  const parent = dot > 0 ? registry.getService(name.slice(0, dot)) : undefined;
  const method = parent?.methods.find((m) => m.name === name.slice(dot + 1));
  if (method !== undefined) return `${name} is a method:\n${rpcLine(method)}`;
  throw new CliFailure(`symbol "${name}" not found`);
}
