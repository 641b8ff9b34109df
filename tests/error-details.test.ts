import { describe, test } from "./support/test.ts";
import assert from "node:assert/strict";
import { anyPack } from "@bufbuild/protobuf/wkt";
import { DurationSchema } from "@bufbuild/protobuf/wkt";
import {
  BadRequestSchema,
  Code,
  createClient,
  type ErrorDetailsInit,
  LocalizedMessageSchema,
  packErrorDetails,
  readErrorDetails,
  RpcError,
} from "wirecall";
import { decodeStatusDetails, encodeStatusDetails } from "wirecall/protocol";
import { createLoopbackTransport } from "wirecall/transports/loopback";
import { DemoService } from "../protos/gen/wirecall/demo/v1/demo_pb.ts";
import { demoRouter, rejection } from "./support/demo-router.ts";

const T = { timeout: 10_000 };

/** One of every standard detail, with fields that exercise maps, nesting and optionals. */
const everyKind: ErrorDetailsInit = {
  errorInfo: { reason: "EMAIL_INVALID", domain: "users.example.com", metadata: { field: "email" } },
  badRequest: {
    fieldViolations: [{
      field: "user.email",
      description: "not an address",
      reason: "FORMAT",
      localizedMessage: { locale: "de-DE", message: "Keine Adresse" },
    }],
  },
  retryInfo: { retryDelay: { seconds: 3n, nanos: 500_000_000 } },
  debugInfo: { stackEntries: ["at greet (demo.ts:1:1)", "at serve"], detail: "boom" },
  quotaFailure: {
    violations: [{
      subject: "project:demo",
      description: "daily limit",
      apiService: "demo.example.com",
      quotaMetric: "demo.example.com/calls",
      quotaId: "CallsPerDay",
      quotaDimensions: { region: "eu" },
      quotaValue: 100n,
      futureQuotaValue: 200n,
    }],
  },
  preconditionFailure: {
    violations: [{ type: "TOS", subject: "user:ada", description: "terms not accepted" }],
  },
  resourceInfo: {
    resourceType: "user",
    resourceName: "users/ada",
    owner: "team:identity",
    description: "locked",
  },
  requestInfo: { requestId: "req-42", servingData: "shard-7" },
  help: { links: [{ description: "Email rules", url: "https://example.com/help/email" }] },
  localizedMessage: [
    { locale: "en-US", message: "Please check your email address." },
    { locale: "fr-FR", message: "Vérifiez votre adresse." },
  ],
};

describe("error details", () => {
  test("every standard detail packed in one call reads back in one call", T, () => {
    const error = new RpcError(Code.INVALID_ARGUMENT, "bad email", {
      details: packErrorDetails(everyKind),
    });
    assert.deepEqual(error.details.map((d) => d.typeUrl), [
      "type.googleapis.com/google.rpc.ErrorInfo",
      "type.googleapis.com/google.rpc.BadRequest",
      "type.googleapis.com/google.rpc.RetryInfo",
      "type.googleapis.com/google.rpc.DebugInfo",
      "type.googleapis.com/google.rpc.QuotaFailure",
      "type.googleapis.com/google.rpc.PreconditionFailure",
      "type.googleapis.com/google.rpc.ResourceInfo",
      "type.googleapis.com/google.rpc.RequestInfo",
      "type.googleapis.com/google.rpc.Help",
      "type.googleapis.com/google.rpc.LocalizedMessage",
      "type.googleapis.com/google.rpc.LocalizedMessage",
    ]);
    const d = readErrorDetails(error);
    assert.equal(d.errorInfo?.reason, "EMAIL_INVALID");
    assert.deepEqual(d.errorInfo?.metadata, { field: "email" });
    assert.equal(d.badRequest?.fieldViolations[0].localizedMessage?.message, "Keine Adresse");
    assert.equal(d.retryInfo?.retryDelay?.seconds, 3n);
    assert.equal(d.retryInfo?.retryDelay?.nanos, 500_000_000);
    assert.deepEqual(d.debugInfo?.stackEntries, ["at greet (demo.ts:1:1)", "at serve"]);
    assert.equal(d.quotaFailure?.violations[0].futureQuotaValue, 200n);
    assert.deepEqual(d.quotaFailure?.violations[0].quotaDimensions, { region: "eu" });
    assert.equal(d.preconditionFailure?.violations[0].type, "TOS");
    assert.equal(d.resourceInfo?.resourceName, "users/ada");
    assert.equal(d.requestInfo?.requestId, "req-42");
    assert.equal(d.help?.links[0].url, "https://example.com/help/email");
    assert.equal(d.localizedMessage?.locale, "en-US");
    assert.deepEqual(d.localizedMessages.map((m) => m.locale), ["en-US", "fr-FR"]);
    assert.deepEqual(d.other, []);
  });

  test("the details are the bytes of google.rpc.Status in grpc-status-details-bin", T, () => {
    const details = packErrorDetails({ errorInfo: { reason: "R", domain: "d" } });
    const bytes = encodeStatusDetails({ code: Code.NOT_FOUND, message: "gone", details });
    // google.rpc.Status { code: 5, message: "gone", details: [Any{ type_url, value }] }
    assert.deepEqual([...bytes.subarray(0, 8)], [0x08, 5, 0x12, 4, 0x67, 0x6f, 0x6e, 0x65]);
    const status = decodeStatusDetails(bytes)!;
    assert.equal(readErrorDetails(status.details).errorInfo?.reason, "R");
  });

  test("details of other types and undecodable bytes land in other, never throw", T, () => {
    const foreign = anyPack(DurationSchema, {
      $typeName: "google.protobuf.Duration",
      seconds: 1n,
      nanos: 0,
    });
    const broken = {
      $typeName: "google.protobuf.Any" as const,
      typeUrl: "type.googleapis.com/google.rpc.BadRequest",
      value: new Uint8Array([0x0a, 0xff]),
    };
    const d = readErrorDetails(new RpcError(Code.INTERNAL, "x", { details: [foreign, broken] }));
    assert.equal(d.badRequest, undefined);
    assert.deepEqual(d.other.map((a) => a.typeUrl), [
      "type.googleapis.com/google.protobuf.Duration",
      "type.googleapis.com/google.rpc.BadRequest",
    ]);
    assert.deepEqual(readErrorDetails(new Error("plain")), { localizedMessages: [], other: [] });
    assert.deepEqual(readErrorDetails(undefined), { localizedMessages: [], other: [] });
  });

  test("a handler's details reach the client across the wire, every kind intact", T, async () => {
    const { router } = demoRouter({
      greet: () => {
        throw new RpcError(Code.INVALID_ARGUMENT, "bad email", {
          details: packErrorDetails(everyKind),
        });
      },
    });
    const client = createClient(DemoService, createLoopbackTransport(router));
    const error = await rejection(client.greet({ name: "x" }));
    assert.equal(error.code, Code.INVALID_ARGUMENT);
    const d = readErrorDetails(error);
    assert.equal(d.quotaFailure?.violations[0].quotaValue, 100n);
    assert.equal(d.localizedMessages.length, 2);
    assert.equal(error.findDetails(BadRequestSchema)[0].fieldViolations[0].field, "user.email");
    assert.equal(error.findDetails(LocalizedMessageSchema)[1].locale, "fr-FR");
  });
});
