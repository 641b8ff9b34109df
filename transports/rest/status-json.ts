import { type Registry, toJson } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import type { RpcError } from "../../mod.ts";

/**
 * The body of a REST error: `google.rpc.Status` in proto3 JSON, as gRPC
 * gateways write it (`{"code": 5, "message": "…", "details": [{"@type": …}]}`).
 * Details whose type `registry` does not know are left out rather than
 * failing the response.
 *
 * @example
 * ```ts
 * import { Code, RpcError } from "wirecall";
 * import { createRegistry } from "@bufbuild/protobuf";
 * import { statusJson } from "wirecall/transports/rest";
 * statusJson(new RpcError(Code.NOT_FOUND, "no shelf"), createRegistry()); // { code: 5, message: "no shelf", details: [] }
 * ```
 */
export function statusJson(error: RpcError, registry: Registry): Record<string, unknown> {
  const details: unknown[] = [];
  for (const any of error.details) {
    try {
      details.push(toJson(AnySchema, any, { registry }));
    } catch {
      // A detail of a type the server's registry does not know cannot be written as JSON.
    }
  }
  return { code: error.code, message: error.rawMessage, details };
}
