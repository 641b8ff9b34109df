#!/usr/bin/env node
/**
 * `protoc-gen-wirecall`: the generator as a protoc/buf plugin, for teams that
 * keep buf or protoc. Reads a CodeGeneratorRequest on stdin and writes a
 * CodeGeneratorResponse with the protoc-gen-es schemas and the wirecall
 * client/server companions.
 *
 * Parameters: protoc-gen-es options (`target=ts`, `import_extension=ts`, …)
 * plus `clients=false` and `runtime_import=MODULE`.
 *
 * @module
 */

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponse_Feature,
  CodeGeneratorResponse_FileSchema,
  CodeGeneratorResponseSchema,
  Edition,
} from "@bufbuild/protobuf/wkt";
import process from "node:process";
import { generate } from "./generate.ts";

/** Turns request bytes into response bytes. */
export async function runPlugin(input: Uint8Array): Promise<Uint8Array> {
  const req = fromBinary(CodeGeneratorRequestSchema, input);
  const es: string[] = [];
  let clients = true;
  let runtimeImport = "wirecall";
  for (const p of req.parameter.split(",").filter((x) => x)) {
    const [k, v = ""] = p.split("=");
    if (k === "clients") clients = v !== "false";
    else if (k === "runtime_import") runtimeImport = v;
    else es.push(p);
  }
  const res = create(CodeGeneratorResponseSchema, {
    supportedFeatures: BigInt(
      CodeGeneratorResponse_Feature.PROTO3_OPTIONAL |
        CodeGeneratorResponse_Feature.SUPPORTS_EDITIONS,
    ),
    minimumEdition: Edition.EDITION_PROTO2,
    maximumEdition: Edition.EDITION_2024,
  });
  try {
    const files = await generate(req.protoFile, req.fileToGenerate, {
      es: es.length ? es : undefined,
      clients,
      runtimeImport,
    });
    for (const f of files) {
      res.file.push(create(CodeGeneratorResponse_FileSchema, { name: f.name, content: f.content }));
    }
  } catch (e) {
    res.error = (e as Error).message;
  }
  return toBinary(CodeGeneratorResponseSchema, res);
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const c of process.stdin) chunks.push(c as Uint8Array);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const entry = process.argv[1] ?? "";
if (/protoc-(gen-wirecall|plugin)(\.[jt]s)?$/.test(entry)) {
  readStdin().then(runPlugin).then((out) => process.stdout.write(out));
}
