import {
  type DescEnum,
  type DescExtension,
  type DescFile,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  toBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { Code } from "./code.ts";
import type { Router, ServiceImpl } from "./router.ts";
import {
  ServerReflection as ServerReflectionV1,
  type ServerReflectionRequest as RequestV1,
  type ServerReflectionResponseSchema as ResponseSchemaV1,
} from "./gen/grpc/reflection/v1/reflection_pb.ts";
import { ServerReflection as ServerReflectionV1Alpha } from "./gen/grpc/reflection/v1alpha/reflection_pb.ts";

type ReflectionAnswer = Omit<MessageInitShape<typeof ResponseSchemaV1>, "originalRequest">;

/** Every file the router's services need, by name, and every symbol by full name. */
class SchemaIndex {
  readonly files = new Map<string, DescFile>();
  readonly symbols = new Map<string, DescFile>();
  readonly extensions: DescExtension[] = [];

  constructor(services: readonly DescService[]) {
    for (const s of services) this.#addFile(s.file);
  }

  #addFile(file: DescFile): void {
    // Keyed by the real file name ("google/protobuf/timestamp.proto"), as
    // reflection clients ask for it; DescFile.name drops the ".proto".
    const name = file.proto.name;
    if (this.files.has(name)) return;
    this.files.set(name, file);
    for (const dep of file.dependencies) this.#addFile(dep);
    for (const s of file.services) {
      this.symbols.set(s.typeName, file);
      for (const m of s.methods) this.symbols.set(`${s.typeName}.${m.name}`, file);
    }
    for (const e of file.enums) this.#addEnum(e, file);
    for (const m of file.messages) this.#addMessage(m, file);
    for (const x of file.extensions) this.#addExtension(x, file);
  }

  #addEnum(e: DescEnum, file: DescFile): void {
    this.symbols.set(e.typeName, file);
  }

  #addExtension(x: DescExtension, file: DescFile): void {
    this.symbols.set(x.typeName, file);
    this.extensions.push(x);
  }

  #addMessage(m: DescMessage, file: DescFile): void {
    this.symbols.set(m.typeName, file);
    for (const f of m.fields) this.symbols.set(`${m.typeName}.${f.name}`, file);
    for (const e of m.nestedEnums) this.#addEnum(e, file);
    for (const n of m.nestedMessages) this.#addMessage(n, file);
    for (const x of m.nestedExtensions) this.#addExtension(x, file);
  }

  /** The file and everything it imports, serialized, dependencies first. */
  closure(file: DescFile): Uint8Array[] {
    const out: Uint8Array[] = [];
    const seen = new Set<string>();
    const visit = (f: DescFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(toBinary(FileDescriptorProtoSchema, f.proto));
      for (const d of f.dependencies) visit(d);
    };
    visit(file);
    return out;
  }
}

function notFound(message: string): ReflectionAnswer {
  return {
    messageResponse: {
      case: "errorResponse",
      value: { errorCode: Code.NOT_FOUND, errorMessage: message },
    },
  };
}

function answer(index: SchemaIndex, router: Router, req: RequestV1): ReflectionAnswer {
  const q = req.messageRequest;
  switch (q.case) {
    case "listServices":
      return {
        messageResponse: {
          case: "listServicesResponse",
          value: { service: router.services.map((s) => ({ name: s.typeName })) },
        },
      };
    case "fileByFilename":
    case "fileContainingSymbol": {
      const file = q.case === "fileByFilename"
        ? index.files.get(q.value)
        : index.symbols.get(q.value);
      if (file === undefined) {
        return notFound(
          `${q.case === "fileByFilename" ? "file" : "symbol"} "${q.value}" not found`,
        );
      }
      return {
        messageResponse: {
          case: "fileDescriptorResponse",
          value: { fileDescriptorProto: index.closure(file) },
        },
      };
    }
    case "fileContainingExtension": {
      const x = index.extensions.find((e) =>
        e.extendee.typeName === q.value.containingType && e.number === q.value.extensionNumber
      );
      if (x === undefined) {
        return notFound(
          `extension ${q.value.extensionNumber} of "${q.value.containingType}" not found`,
        );
      }
      return {
        messageResponse: {
          case: "fileDescriptorResponse",
          value: { fileDescriptorProto: index.closure(x.file) },
        },
      };
    }
    case "allExtensionNumbersOfType": {
      if (!index.symbols.has(q.value)) return notFound(`type "${q.value}" not found`);
      return {
        messageResponse: {
          case: "allExtensionNumbersResponse",
          value: {
            baseTypeName: q.value,
            extensionNumber: index.extensions.filter((e) => e.extendee.typeName === q.value).map((
              e,
            ) => e.number),
          },
        },
      };
    }
    default:
      return {
        messageResponse: {
          case: "errorResponse",
          value: { errorCode: Code.UNIMPLEMENTED, errorMessage: "unknown reflection request" },
        },
      };
  }
}

/**
 * Adds gRPC server reflection (`grpc.reflection.v1` and `v1alpha`) to a
 * router, so tools such as grpcurl or Postman can list its services and
 * fetch their schemas. Services registered later are included too.
 *
 * @example
 * ```ts
 * import { addReflection, createRouter } from "wirecall";
 * const router = addReflection(createRouter().service(DemoService, impl));
 * ```
 */
export function addReflection(router: Router): Router {
  async function* info(requests: AsyncIterable<RequestV1>) {
    let index: SchemaIndex | undefined;
    let indexed = -1;
    for await (const req of requests) {
      if (indexed !== router.services.length) {
        index = new SchemaIndex(router.services);
        indexed = router.services.length;
      }
      yield { validHost: req.host, originalRequest: req, ...answer(index!, router, req) };
    }
  }
  // v1alpha has the same messages under another package: one handler serves
  // both, since the answers are built from plain field values.
  const impl = { serverReflectionInfo: info } as unknown as ServiceImpl<typeof ServerReflectionV1>;
  router.service(ServerReflectionV1, impl);
  router.service(
    ServerReflectionV1Alpha,
    impl as unknown as ServiceImpl<typeof ServerReflectionV1Alpha>,
  );
  return router;
}
