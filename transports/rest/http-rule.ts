import { type DescMethod, getOption, hasOption } from "@bufbuild/protobuf";
import { http } from "../../src/gen/google/api/annotations_pb.ts";
import type { HttpRule } from "../../src/gen/google/api/http_pb.ts";
import { parsePathTemplate, type PathTemplate, PathTemplateError } from "./path-template.ts";

/** One REST route of a method: an HTTP method and path template, and the body mappings. */
export interface HttpBinding {
  /** The RPC method served. */
  method: DescMethod;
  /** The HTTP method, upper case (`GET`, `POST`, …, or a custom one). */
  httpMethod: string;
  /** The parsed path template. */
  template: PathTemplate;
  /** The request field carried in the body: `""` for none, `"*"` for every field the path does not bind. */
  body: string;
  /** The response field sent as the body; `""` for the whole response. */
  responseBody: string;
}

function patternOf(rule: HttpRule): { httpMethod: string; path: string } | undefined {
  const p = rule.pattern;
  switch (p.case) {
    case "get":
    case "put":
    case "post":
    case "delete":
    case "patch":
      return { httpMethod: p.case.toUpperCase(), path: p.value };
    case "custom":
      return p.value.kind === ""
        ? undefined
        : { httpMethod: p.value.kind.toUpperCase(), path: p.value.path };
    default:
      return undefined;
  }
}

/**
 * The REST routes a method declares with the `google.api.http` option, its
 * `additional_bindings` included. A template that breaks the HttpRule
 * grammar is an error naming the method.
 *
 * @example
 * ```ts
 * import { httpBindings } from "wirecall/transports/rest";
 * import { DemoService } from "./protos/gen/wirecall/demo/v1/demo_pb.ts";
 * httpBindings(DemoService.method.greet).map((b) => `${b.httpMethod} ${b.template.source}`);
 * ```
 */
export function httpBindings(method: DescMethod): HttpBinding[] {
  if (!hasOption(method, http)) return [];
  const rule = getOption(method, http);
  const out: HttpBinding[] = [];
  const add = (r: HttpRule) => {
    const pattern = patternOf(r);
    if (pattern === undefined) return;
    let template: PathTemplate;
    try {
      template = parsePathTemplate(pattern.path);
    } catch (e) {
      if (!(e instanceof PathTemplateError)) throw e;
      throw new PathTemplateError(
        pattern.path,
        0,
        `${e.message} (google.api.http of ${method.parent.typeName}.${method.name})`,
      );
    }
    out.push({
      method,
      httpMethod: pattern.httpMethod,
      template,
      body: r.body,
      responseBody: r.responseBody,
    });
  };
  add(rule);
  for (const extra of rule.additionalBindings) add(extra);
  return out;
}
