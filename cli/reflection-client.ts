import { create, createFileRegistry, type FileRegistry, fromBinary } from "@bufbuild/protobuf";
import {
  type DescriptorProto,
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from "@bufbuild/protobuf/wkt";
import * as wkt from "@bufbuild/protobuf/wkt";
import { type CallOptions, Code, createClient, RpcError, type Transport } from "../mod.ts";
import { ServerReflection as ReflectionV1 } from "../src/gen/grpc/reflection/v1/reflection_pb.ts";
import { ServerReflection as ReflectionV1Alpha } from "../src/gen/grpc/reflection/v1alpha/reflection_pb.ts";

type Request =
  | { case: "listServices"; value: string }
  | { case: "fileContainingSymbol"; value: string }
  | { case: "fileByFilename"; value: string };

interface Answer {
  messageResponse:
    | { case: "listServicesResponse"; value: { service: Array<{ name: string }> } }
    | { case: "fileDescriptorResponse"; value: { fileDescriptorProto: Uint8Array[] } }
    | { case: "errorResponse"; value: { errorCode: number; errorMessage: string } }
    | { case: string | undefined; value?: unknown };
}

/** The well-known types, for servers that leave them out of their answers. */
const wellKnownFiles = new Map<string, FileDescriptorProto>();
for (const value of Object.values(wkt)) {
  const file = value as { kind?: string; proto?: FileDescriptorProto };
  if (file?.kind === "file" && file.proto !== undefined) {
    wellKnownFiles.set(file.proto.name, file.proto);
  }
}

/**
 * A client of gRPC server reflection (`grpc.reflection.v1`, falling back to
 * `v1alpha` for servers that only have that): lists services and fetches
 * the files that define a symbol, with their imports, into a registry.
 */
export class ReflectionClient {
  readonly #transport: Transport;
  readonly #options: CallOptions;
  #version: "v1" | "v1alpha" = "v1";

  constructor(transport: Transport, options: CallOptions) {
    this.#transport = transport;
    this.#options = options;
  }

  async #ask(request: Request): Promise<Answer> {
    for (;;) {
      const service = this.#version === "v1" ? ReflectionV1 : ReflectionV1Alpha;
      const client = createClient(service, this.#transport);
      try {
        const requests = (async function* () {
          yield { messageRequest: request };
        })();
        // Read the stream to its end (one request, one answer) so that it closes
        // cleanly before the connection does.
        let first: Answer | undefined;
        for await (const answer of client.serverReflectionInfo(requests as never, this.#options)) {
          first ??= answer as unknown as Answer;
        }
        if (first !== undefined) {
          if (first.messageResponse.case === "errorResponse") {
            const e = first.messageResponse.value as { errorCode: number; errorMessage: string };
            throw new RpcError(e.errorCode as Code, e.errorMessage);
          }
          return first;
        }
        throw new RpcError(Code.INTERNAL, "the reflection service answered nothing");
      } catch (e) {
        if (e instanceof RpcError && e.code === Code.UNIMPLEMENTED && this.#version === "v1") {
          this.#version = "v1alpha";
          continue;
        }
        if (e instanceof RpcError && e.code === Code.UNIMPLEMENTED) {
          throw new RpcError(
            Code.UNIMPLEMENTED,
            "the server does not support reflection; pass --proto or --protoset",
          );
        }
        throw e;
      }
    }
  }

  /** The names of the services the server exposes. */
  async listServices(): Promise<string[]> {
    const a = await this.#ask({ case: "listServices", value: "" });
    if (a.messageResponse.case !== "listServicesResponse") {
      throw new RpcError(Code.INTERNAL, "unexpected reflection answer to list_services");
    }
    const v = a.messageResponse.value as { service: Array<{ name: string }> };
    return v.service.map((s) => s.name);
  }

  /** A registry holding the file that defines `symbol` and everything it imports. */
  async registryFor(symbols: readonly string[]): Promise<FileRegistry> {
    const files = new Map<string, FileDescriptorProto>();
    const add = (a: Answer) => {
      if (a.messageResponse.case !== "fileDescriptorResponse") {
        throw new RpcError(Code.INTERNAL, "unexpected reflection answer to a file request");
      }
      const v = a.messageResponse.value as { fileDescriptorProto: Uint8Array[] };
      for (const bytes of v.fileDescriptorProto) {
        const file = fromBinary(FileDescriptorProtoSchema, bytes);
        for (const m of file.messageType) clearEmptyJsonNames(m);
        files.set(file.name, file);
      }
    };
    for (const symbol of symbols) {
      add(await this.#ask({ case: "fileContainingSymbol", value: symbol }));
    }
    for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
      for (const name of missing) {
        const known = wellKnownFiles.get(name);
        if (known !== undefined) files.set(name, known);
        else add(await this.#ask({ case: "fileByFilename", value: name }));
        if (!files.has(name)) {
          throw new RpcError(Code.NOT_FOUND, `reflection did not return ${name}`);
        }
      }
    }
    return createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
  }
}

/**
 * Some servers (grpc-js's reflection, from protobufjs) send `json_name: ""`;
 * an empty name is no name, so protoc's camel-case default is filled in.
 */
function clearEmptyJsonNames(m: DescriptorProto): void {
  for (const f of m.field) {
    if (f.jsonName === "") {
      f.jsonName = f.name.replace(/_+([a-z0-9]?)/g, (_m, c: string) => c.toUpperCase());
    }
  }
  for (const n of m.nestedType) clearEmptyJsonNames(n);
}

/** The files in an order where each comes after its imports, as a registry is built. */
function dependenciesFirst(files: Map<string, FileDescriptorProto>): FileDescriptorProto[] {
  const out: FileDescriptorProto[] = [];
  const seen = new Set<string>();
  const visit = (f: FileDescriptorProto) => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    for (const d of f.dependency) visit(files.get(d)!);
    out.push(f);
  };
  for (const f of files.values()) visit(f);
  return out;
}

function missingImports(files: Map<string, FileDescriptorProto>): string[] {
  const missing = new Set<string>();
  for (const f of files.values()) for (const d of f.dependency) if (!files.has(d)) missing.add(d);
  return [...missing];
}
