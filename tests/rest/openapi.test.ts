// OpenAPI 3.1 from the .proto: the documents wirecall-codegen writes for
// google.api.http routes validate with an OpenAPI validator and describe the
// routes the REST handler serves.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { compileOrThrow, generateOpenApi } from "../../codegen/mod.ts";
import { main as codegenMain } from "../../codegen/cli.ts";
import { repoRoot } from "../support/repo-root.ts";

type Doc = {
  openapi: string;
  info: { title: string; description?: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Record<string, unknown>> };
};

function documents(files: string[], includePaths: string[]): Map<string, Doc> {
  const { allFiles } = compileOrThrow({
    files,
    includePaths,
    readFile: (p) => {
      try {
        return readFileSync(p, "utf8");
      } catch {
        return undefined;
      }
    },
  });
  return new Map(generateOpenApi(allFiles, files).map((f) => [f.name, JSON.parse(f.content)]));
}

async function validate(doc: unknown): Promise<void> {
  const result = await new Validator().validate(doc as Record<string, unknown>);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
}

describe("OpenAPI 3.1 from google.api.http", () => {
  const protos = join(repoRoot, "protos");
  const googleapis = join(repoRoot, "node_modules", "google-proto-files");

  test("the demo service's document validates and lists its REST routes", async () => {
    const docs = documents(["wirecall/demo/v1/demo.proto"], [protos]);
    const doc = docs.get("wirecall/demo/v1/DemoService.openapi.json")!;
    assert.ok(doc, [...docs.keys()].join(", "));
    await validate(doc);
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.info.title, "wirecall.demo.v1.DemoService");
    assert.match(doc.info.description ?? "", /DemoService shows each call kind/);
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      "/v1/countdown/{from}",
      "/v1/greet",
      "/v1/greet/{name}",
      "/v1/sum",
    ]);
    const greet = doc.paths["/v1/greet/{name}"].get;
    assert.equal(greet.operationId, "DemoService_Greet");
    assert.deepEqual(greet.parameters, [
      { name: "name", in: "path", required: true, schema: { type: "string" } },
    ]);
    assert.ok(doc.paths["/v1/countdown/{from}"].get.responses);
    const stream = doc.paths["/v1/countdown/{from}"].get.responses as Record<
      string,
      { content: object }
    >;
    assert.deepEqual(Object.keys(stream["200"].content), ["application/x-ndjson"]);
    assert.deepEqual(doc.components.schemas["wirecall.demo.v1.SumResponse"].properties, {
      total: { type: "string", format: "int64", description: "The total." },
      count: { type: "integer", format: "int32", description: "How many numbers were added." },
    });
  });

  test("googleapis' Library document validates, with templates, verbs and query parameters", async () => {
    const docs = documents(["google/example/library/v1/library.proto"], [googleapis]);
    const doc = docs.get("google/example/library/v1/LibraryService.openapi.json")!;
    await validate(doc);
    const paths = Object.keys(doc.paths).sort();
    assert.deepEqual(paths, [
      "/v1/shelves",
      "/v1/shelves/{shelf}",
      "/v1/shelves/{shelf}/books",
      "/v1/shelves/{shelf}/books/{book}",
      "/v1/shelves/{shelf}/books/{book}:move",
      "/v1/shelves/{shelf}:merge",
    ]);
    assert.deepEqual(Object.keys(doc.paths["/v1/shelves/{shelf}/books/{book}"]).sort(), [
      "delete",
      "get",
      "patch",
    ]);
    const getBook = doc.paths["/v1/shelves/{shelf}/books/{book}"].get;
    assert.deepEqual((getBook.parameters as unknown[])[1], {
      name: "book",
      in: "path",
      required: true,
      schema: { type: "string" },
      description: "Part of the request field `name`, which is `shelves/*/books/*`.",
    });
    const list = doc.paths["/v1/shelves"].get.parameters as Array<{ name: string; in: string }>;
    assert.deepEqual(list.map((p) => `${p.in}:${p.name}`), ["query:page_size", "query:page_token"]);
    const update = doc.paths["/v1/shelves/{shelf}/books/{book}"].patch;
    const updateParams = (update.parameters as Array<{ name: string }>).map((p) => p.name);
    assert.deepEqual(updateParams, ["shelf", "book", "update_mask"]);
    assert.ok(doc.components.schemas["google.example.library.v1.Book"]);
    assert.ok(doc.components.schemas["google.rpc.Status"]);
  });

  test("wirecall-codegen --openapi_out writes the documents", async () => {
    const out = mkdtempSync(join(tmpdir(), "wirecall-openapi-"));
    try {
      const code = await codegenMain([
        "--quiet",
        `--openapi_out=${out}`,
        "-I",
        protos,
        join(protos, "wirecall", "demo", "v1", "demo.proto"),
      ]);
      assert.equal(code, 0);
      const doc = JSON.parse(
        readFileSync(join(out, "wirecall", "demo", "v1", "DemoService.openapi.json"), "utf8"),
      );
      await validate(doc);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
