/**
 * OpenAPI 3.1 documents for the REST routes that `google.api.http`
 * annotations declare: one document per service, with the paths and
 * operations of its transcoded methods and JSON schemas of its messages in
 * the proto3 JSON mapping (64-bit integers as strings, enums as their names,
 * well-known types as their JSON forms), comments as descriptions.
 *
 * @module
 */
import {
  create,
  createFileRegistry,
  type DescEnum,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethod,
  type DescService,
  ScalarType,
} from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { type HttpBinding, httpBindings } from "../transports/rest/http-rule.ts";
import type { PathTemplate } from "../transports/rest/path-template.ts";
import type { GeneratedFile } from "./generate.ts";

type Schema = Record<string, unknown>;

/** The leading comments of a file's elements, by source path (`"6,0,2,1"`). */
function commentsOf(file: DescFile): Map<string, string> {
  const out = new Map<string, string>();
  for (const loc of file.proto.sourceCodeInfo?.location ?? []) {
    const text = (loc.leadingComments ?? "").trim();
    if (text !== "") out.set(loc.path.join(","), text.split("\n").map((l) => l.trim()).join("\n"));
  }
  return out;
}

function messagePath(m: DescMessage): number[] {
  if (m.parent === undefined) return [4, m.file.messages.indexOf(m)];
  return [...messagePath(m.parent), 3, m.parent.nestedMessages.indexOf(m)];
}

function enumPath(e: DescEnum): number[] {
  if (e.parent === undefined) return [5, e.file.enums.indexOf(e)];
  return [...messagePath(e.parent), 4, e.parent.nestedEnums.indexOf(e)];
}

const stringTypes: Record<string, Schema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.Duration": { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" },
  "google.protobuf.FieldMask": { type: "string", description: "Comma-separated field paths." },
};

/** Builds the schemas of one document, each message once, in `components.schemas`. */
class SchemaBuilder {
  readonly schemas: Record<string, Schema> = {};
  readonly #comments = new Map<DescFile, Map<string, string>>();

  #comment(file: DescFile, path: number[]): string | undefined {
    let c = this.#comments.get(file);
    if (c === undefined) this.#comments.set(file, c = commentsOf(file));
    return c.get(path.join(","));
  }

  /** A comment for a method or service, for operation descriptions. */
  describe(desc: DescService | DescMethod): string | undefined {
    if (desc.kind === "service") {
      return this.#comment(desc.file, [6, desc.file.services.indexOf(desc)]);
    }
    const s = desc.parent;
    return this.#comment(s.file, [6, s.file.services.indexOf(s), 2, s.methods.indexOf(desc)]);
  }

  /** A `$ref` to the schema of a message (or the inline JSON form of a well-known type). */
  message(m: DescMessage): Schema {
    const wkt = this.#wellKnown(m);
    if (wkt !== undefined) return wkt;
    const name = m.typeName;
    if (!(name in this.schemas)) {
      this.schemas[name] = {}; // placeholder: recursive messages refer to themselves
      const properties: Record<string, Schema> = {};
      const path = messagePath(m);
      for (const [i, f] of m.fields.entries()) {
        const s = this.field(f);
        const d = this.#comment(m.file, [...path, 2, i]);
        properties[f.jsonName] = d === undefined ? s : { ...s, description: d };
      }
      const schema: Schema = { type: "object", properties };
      const d = this.#comment(m.file, path);
      if (d !== undefined) schema.description = d;
      this.schemas[name] = schema;
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  #enum(e: DescEnum): Schema {
    if (e.typeName === "google.protobuf.NullValue") return { type: "null" };
    const name = e.typeName;
    if (!(name in this.schemas)) {
      const schema: Schema = { type: "string", enum: e.values.map((v) => v.name) };
      const d = this.#comment(e.file, enumPath(e));
      if (d !== undefined) schema.description = d;
      this.schemas[name] = schema;
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  #wellKnown(m: DescMessage): Schema | undefined {
    const t = m.typeName;
    if (t in stringTypes) return { ...stringTypes[t] };
    switch (t) {
      case "google.protobuf.Struct":
        return { type: "object", additionalProperties: true };
      case "google.protobuf.Value":
        return {};
      case "google.protobuf.ListValue":
        return { type: "array", items: {} };
      case "google.protobuf.Empty":
        return { type: "object" };
      case "google.protobuf.Any":
        return {
          type: "object",
          properties: { "@type": { type: "string" } },
          required: ["@type"],
          additionalProperties: true,
        };
    }
    if (t.startsWith("google.protobuf.") && t.endsWith("Value") && m.fields.length === 1) {
      const inner = this.#scalar(m.fields[0].scalar!);
      return { ...inner, type: [inner.type as string, "null"] };
    }
    return undefined;
  }

  #scalar(t: ScalarType): Schema {
    switch (t) {
      case ScalarType.BOOL:
        return { type: "boolean" };
      case ScalarType.STRING:
        return { type: "string" };
      case ScalarType.BYTES:
        return { type: "string", contentEncoding: "base64" };
      case ScalarType.DOUBLE:
        return { type: "number", format: "double" };
      case ScalarType.FLOAT:
        return { type: "number", format: "float" };
      case ScalarType.INT64:
      case ScalarType.SINT64:
      case ScalarType.SFIXED64:
        return { type: "string", format: "int64" };
      case ScalarType.UINT64:
      case ScalarType.FIXED64:
        return { type: "string", format: "uint64" };
      case ScalarType.UINT32:
      case ScalarType.FIXED32:
        return { type: "integer", format: "uint32" };
      default:
        return { type: "integer", format: "int32" };
    }
  }

  /** The schema of one field's JSON value. */
  field(f: DescField): Schema {
    switch (f.fieldKind) {
      case "scalar":
        return this.#scalar(f.scalar);
      case "enum":
        return this.#enum(f.enum);
      case "message":
        return this.message(f.message);
      case "list":
        return {
          type: "array",
          items: f.listKind === "scalar"
            ? this.#scalar(f.scalar)
            : f.listKind === "enum"
            ? this.#enum(f.enum)
            : this.message(f.message),
        };
      case "map":
        return {
          type: "object",
          additionalProperties: f.mapKind === "scalar"
            ? this.#scalar(f.scalar)
            : f.mapKind === "enum"
            ? this.#enum(f.enum)
            : this.message(f.message),
        };
    }
  }
}

/** A path parameter of the OpenAPI form of a template, and the request field it is part of. */
interface PathParameter {
  name: string;
  field: string;
  /** The variable's sub-template, when the parameter is one part of it. */
  partOf?: string;
  rest: boolean;
}

/**
 * The OpenAPI path of a template. A `{field}` variable stays `{field}`; a
 * variable with a sub-template is spelled out, each wildcard a parameter
 * named after the literal before it (`{name=shelves/*}` becomes
 * `shelves/{shelf}`), so that templates differing only inside their
 * variables stay distinct OpenAPI paths. The `:verb` is kept.
 */
function openApiPath(t: PathTemplate): { path: string; parameters: PathParameter[] } {
  const parts: string[] = [];
  const parameters: PathParameter[] = [];
  const used = new Set<string>();
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; used.has(n); i++) n = `${name}${i}`;
    used.add(n);
    return n;
  };
  let k = 0;
  while (k < t.segments.length) {
    const v = t.variables.find((x) => x.start === k);
    const field = v?.fieldPath.join(".");
    const segs = v === undefined ? [t.segments[k]] : t.segments.slice(v.start, v.end);
    const simple = v !== undefined && segs.length === 1 && segs[0].kind !== "literal";
    const sub = v === undefined
      ? undefined
      : segs.map((s) => s.kind === "literal" ? s.value : s.kind === "rest" ? "**" : "*").join("/");
    for (const [i, s] of segs.entries()) {
      if (s.kind === "literal") {
        parts.push(s.value);
        continue;
      }
      const prev = i > 0 ? segs[i - 1] : undefined;
      const before = prev?.kind === "literal" ? prev.value : undefined;
      const base = simple || field === undefined
        ? field ?? (s.kind === "rest" ? "path" : "segment")
        : before?.replace(/ies$/, "y").replace(/lves$/, "lf").replace(/s$/, "") ?? field;
      const name = unique(base.replace(/[^A-Za-z0-9_.]/g, "_"));
      parts.push(`{${name}}`);
      parameters.push({
        name,
        field: field ?? name,
        partOf: simple ? undefined : sub,
        rest: s.kind === "rest",
      });
    }
    k = v === undefined ? k + 1 : v.end;
  }
  return { path: "/" + parts.join("/") + (t.verb === undefined ? "" : `:${t.verb}`), parameters };
}

/** Query parameters: the leaf fields not bound by the path or the body, by dotted path. */
function queryParameters(
  b: SchemaBuilder,
  m: DescMessage,
  bound: Set<string>,
  prefix = "",
  depth = 0,
): Schema[] {
  const out: Schema[] = [];
  for (const f of m.fields) {
    const name = prefix + f.name;
    if (bound.has(name)) continue;
    if (f.fieldKind === "map") continue;
    if (
      f.fieldKind === "message" && !(f.message.typeName in stringTypes) &&
      !f.message.typeName.endsWith("Value")
    ) {
      if (depth < 3) out.push(...queryParameters(b, f.message, bound, name + ".", depth + 1));
      continue;
    }
    if (f.fieldKind === "list" && f.listKind === "message") continue;
    const schema = b.field(f);
    out.push(
      f.fieldKind === "list"
        ? { name, in: "query", schema, style: "form", explode: true }
        : { name, in: "query", schema },
    );
  }
  return out;
}

function operation(b: SchemaBuilder, binding: HttpBinding): Schema {
  const { method, template } = binding;
  const parameters: Schema[] = openApiPath(template).parameters.map((p) => {
    const param: Schema = {
      name: p.name,
      in: "path",
      required: true,
      schema: { type: "string" },
    };
    if (p.rest) param.description = "One or more path segments.";
    if (p.partOf !== undefined) {
      param.description = `Part of the request field \`${p.field}\`, which is \`${p.partOf}\`.`;
    }
    return param;
  });
  const bound = new Set(template.variables.map((v) => v.fieldPath.join(".")));
  const op: Schema = {
    operationId: `${method.parent.name}_${method.name}`,
    tags: [method.parent.name],
  };
  const d = b.describe(method);
  if (d !== undefined) op.description = d;
  if (binding.body !== "*") {
    if (binding.body !== "") bound.add(binding.body);
    parameters.push(...queryParameters(b, method.input, bound));
  }
  if (parameters.length > 0) op.parameters = parameters;
  const requestStream = method.methodKind === "client_streaming" ||
    method.methodKind === "bidi_streaming";
  if (binding.body !== "") {
    const field = binding.body === "*"
      ? undefined
      : method.input.fields.find((f) => f.name === binding.body);
    const schema = field === undefined ? b.message(method.input) : b.field(field);
    op.requestBody = {
      required: binding.body === "*" && !requestStream,
      content: requestStream
        ? { "application/x-ndjson": { schema } }
        : { "application/json": { schema } },
    };
  }
  const responseField = binding.responseBody === ""
    ? undefined
    : method.output.fields.find((f) => f.name === binding.responseBody);
  const result = responseField === undefined ? b.message(method.output) : b.field(responseField);
  const responseStream = method.methodKind === "server_streaming" ||
    method.methodKind === "bidi_streaming";
  const status = { $ref: "#/components/schemas/google.rpc.Status" };
  op.responses = {
    "200": {
      description: responseStream ? "A stream of messages, one JSON object per line." : "OK",
      content: responseStream
        ? {
          "application/x-ndjson": {
            schema: { type: "object", properties: { result, error: status } },
          },
        }
        : { "application/json": { schema: result } },
    },
    default: {
      description: "An error: the HTTP status its gRPC code maps to, with google.rpc.Status.",
      content: { "application/json": { schema: status } },
    },
  };
  return op;
}

/**
 * The OpenAPI 3.1 document of one service's REST routes, or `undefined`
 * when none of its methods has a `google.api.http` option.
 */
export function openApiDocument(service: DescService): Record<string, unknown> | undefined {
  const b = new SchemaBuilder();
  const paths: Record<string, Record<string, Schema>> = {};
  for (const method of service.methods) {
    for (const binding of httpBindings(method)) {
      const { path } = openApiPath(binding.template);
      const verb = binding.httpMethod.toLowerCase();
      (paths[path] ??= {})[verb] = operation(b, binding);
    }
  }
  if (Object.keys(paths).length === 0) return undefined;
  b.schemas["google.rpc.Status"] = {
    type: "object",
    description: "The error model of gRPC and REST transcoding.",
    properties: {
      code: { type: "integer", format: "int32", description: "The gRPC status code." },
      message: { type: "string" },
      details: {
        type: "array",
        items: {
          type: "object",
          properties: { "@type": { type: "string" } },
          additionalProperties: true,
        },
      },
    },
  };
  const info: Schema = { title: service.typeName, version: service.file.proto.package || "v1" };
  const d = b.describe(service);
  if (d !== undefined) info.description = d;
  return {
    openapi: "3.1.0",
    info,
    tags: [{ name: service.name }],
    paths,
    components: { schemas: b.schemas },
  };
}

/**
 * Generates `<package path>/<Service>.openapi.json` for every service of
 * `files` (the requested files; `allFiles` holds them and their imports)
 * that declares REST routes.
 *
 * @example
 * ```ts
 * import { compileOrThrow, generateOpenApi } from "wirecall-codegen";
 * const { allFiles } = compileOrThrow({ files: ["demo.proto"], includePaths: ["protos"] });
 * for (const f of generateOpenApi(allFiles, ["demo.proto"])) console.log(f.name);
 * ```
 */
export function generateOpenApi(
  allFiles: FileDescriptorProto[],
  files: readonly string[],
): GeneratedFile[] {
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: allFiles }));
  const out: GeneratedFile[] = [];
  for (const name of files) {
    const file = registry.getFile(name);
    if (file === undefined) continue;
    for (const service of file.services) {
      const doc = openApiDocument(service);
      if (doc === undefined) continue;
      const dir = file.proto.package === "" ? "" : file.proto.package.replaceAll(".", "/") + "/";
      out.push({
        name: `${dir}${service.name}.openapi.json`,
        content: JSON.stringify(doc, null, 2) + "\n",
      });
    }
  }
  return out;
}
