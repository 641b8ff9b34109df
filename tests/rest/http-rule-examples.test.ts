// Every HttpRule example of googleapis' google/api/http.proto, served by the
// REST handler: each HTTP request must reach the method with exactly the
// request message the specification gives.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { type DescMessage, type DescService, type Message, toJson } from "@bufbuild/protobuf";
import { createRouter } from "wirecall";
import { createRestHandler } from "wirecall/transports/rest";
import { compileServices, serviceOf } from "./compile-services.ts";

// One package per example, since the examples reuse their names.
const examples = `
syntax = "proto3";
package examples;
import "google/api/annotations.proto";

message Message { string text = 1; }

// Example 1: a path variable with a sub-template.
message GetMessageRequest1 { string name = 1; }
service Messaging1 {
  rpc GetMessage(GetMessageRequest1) returns (Message) {
    option (google.api.http) = { get: "/v1/{name=messages/*}" };
  }
}

// Example 2: unbound fields become query parameters, nested ones by field path.
message GetMessageRequest2 {
  message SubMessage { string subfield = 1; }
  string message_id = 1;
  int64 revision = 2;
  SubMessage sub = 3;
  repeated string tags = 4;
}
service Messaging2 {
  rpc GetMessage(GetMessageRequest2) returns (Message) {
    option (google.api.http) = { get: "/v1/messages/{message_id}" };
  }
}

// Example 3: one field is the body.
message UpdateMessageRequest3 { string message_id = 1; Message message = 2; }
service Messaging3 {
  rpc UpdateMessage(UpdateMessageRequest3) returns (Message) {
    option (google.api.http) = { patch: "/v1/messages/{message_id}" body: "message" };
  }
}

// Example 4: body "*", every field not in the path.
message Message4 { string message_id = 1; string text = 2; }
service Messaging4 {
  rpc UpdateMessage(Message4) returns (Message4) {
    option (google.api.http) = { patch: "/v1/messages/{message_id}" body: "*" };
  }
}

// Example 5: additional_bindings.
message GetMessageRequest5 { string message_id = 1; string user_id = 2; }
service Messaging5 {
  rpc GetMessage(GetMessageRequest5) returns (Message) {
    option (google.api.http) = {
      get: "/v1/messages/{message_id}"
      additional_bindings { get: "/v1/users/{user_id}/messages/{message_id}" }
    };
  }
}

// The service-configuration example: a nested field path as a variable.
message GetMessageRequest6 {
  message SubMessage { string subfield = 1; }
  string message_id = 1;
  SubMessage sub = 2;
}
service Messaging6 {
  rpc GetMessage(GetMessageRequest6) returns (Message) {
    option (google.api.http) = { get: "/v2/messages/{message_id}/{sub.subfield}" };
  }
}

// The path template syntax: "**", a custom verb, multi-segment variables.
message Resource { string name = 1; string text = 2; }
service Templates {
  rpc GetResource(Resource) returns (Resource) {
    option (google.api.http) = { get: "/v3/{name=**}" };
  }
  rpc CancelResource(Resource) returns (Resource) {
    option (google.api.http) = { post: "/v3/{name=operations/*}:cancel" body: "*" };
  }
  rpc GetShelfBook(Resource) returns (Resource) {
    option (google.api.http) = { get: "/v3/shelves/*/books/{text}" };
  }
}
`;

describe("REST transcoding: the HttpRule examples of google/api/http.proto", () => {
  const registry = compileServices({ "examples.proto": examples });
  const seen: Array<{ method: string; request: unknown }> = [];
  /** A REST handler serving only the given example services, which echo what they got. */
  const serveOnly = (...names: string[]) => {
    const router = createRouter();
    for (const name of names) {
      const service: DescService = serviceOf(registry, `examples.${name}`);
      const impl: Record<string, (req: Message) => unknown> = {};
      for (const m of service.methods) {
        impl[m.localName] = (req) => {
          seen.push({
            method: `${service.name}.${m.name}`,
            request: toJson(m.input as DescMessage, req),
          });
          return m.output.typeName === "examples.Message" ? { text: "ok" } : req;
        };
      }
      router.service(service, impl as never);
    }
    return createRestHandler(router);
  };
  const handlers = new Map<string, ReturnType<typeof serveOnly>>();
  const call = async (example: string, method: string, path: string, body?: string) => {
    let handler = handlers.get(example);
    if (handler === undefined) handlers.set(example, handler = serveOnly(example));
    seen.length = 0;
    const res = await handler(
      new Request(`http://api.test${path}`, {
        method,
        body,
        headers: body === undefined ? {} : { "content-type": "application/json" },
      }),
    );
    const text = await res.text();
    assert.equal(res.status, 200, `${method} ${path}: ${res.status} ${text}`);
    assert.equal(seen.length, 1, `${method} ${path} reached no method`);
    return { ...seen[0], response: JSON.parse(text) };
  };

  test('GET /v1/messages/123456 is GetMessage(name: "messages/123456")', async () => {
    const r = await call("Messaging1", "GET", "/v1/messages/123456");
    assert.equal(r.method, "Messaging1.GetMessage");
    assert.deepEqual(r.request, { name: "messages/123456" });
    assert.deepEqual(r.response, { text: "ok" });
  });

  test("GET /v1/messages/123456?revision=2&sub.subfield=foo sets the query fields", async () => {
    const r = await call("Messaging2", "GET", "/v1/messages/123456?revision=2&sub.subfield=foo");
    assert.deepEqual(r.request, { messageId: "123456", revision: "2", sub: { subfield: "foo" } });
  });

  test("a repeated field is a repeated query parameter (?tags=A&tags=B)", async () => {
    const r = await call("Messaging2", "GET", "/v1/messages/1?tags=A&tags=B");
    assert.deepEqual(r.request, { messageId: "1", tags: ["A", "B"] });
  });

  test('PATCH /v1/messages/123456 { "text": "Hi!" } with body: "message"', async () => {
    const r = await call("Messaging3", "PATCH", "/v1/messages/123456", '{ "text": "Hi!" }');
    assert.equal(r.method, "Messaging3.UpdateMessage");
    assert.deepEqual(r.request, { messageId: "123456", message: { text: "Hi!" } });
  });

  test('PATCH /v1/messages/123456 { "text": "Hi!" } with body: "*"', async () => {
    const r = await call("Messaging4", "PATCH", "/v1/messages/123456", '{ "text": "Hi!" }');
    assert.equal(r.method, "Messaging4.UpdateMessage");
    assert.deepEqual(r.request, { messageId: "123456", text: "Hi!" });
    assert.deepEqual(r.response, { messageId: "123456", text: "Hi!" });
  });

  test("additional_bindings: GET /v1/users/me/messages/123456 sets user_id and message_id", async () => {
    const a = await call("Messaging5", "GET", "/v1/messages/123456");
    assert.deepEqual(a.request, { messageId: "123456" });
    const b = await call("Messaging5", "GET", "/v1/users/me/messages/123456");
    assert.deepEqual(b.request, { messageId: "123456", userId: "me" });
  });

  test("a nested field path variable: GET /v2/messages/123456/foo sets sub.subfield", async () => {
    const r = await call("Messaging6", "GET", "/v2/messages/123456/foo");
    assert.deepEqual(r.request, { messageId: "123456", sub: { subfield: "foo" } });
  });

  test("** matches the rest of the path and keeps %2F encoded", async () => {
    const r = await call("Templates", "GET", "/v3/a/b/c%2Fd%20e");
    assert.equal(r.method, "Templates.GetResource");
    assert.deepEqual(r.request, { name: "a/b/c%2Fd e" });
  });

  test("a single-segment variable is fully percent-decoded", async () => {
    const r = await call("Templates", "GET", "/v3/shelves/7/books/a%2Fb%20c");
    // The literal route is more specific than "/v3/{name=**}" and wins.
    assert.equal(r.method, "Templates.GetShelfBook");
    assert.deepEqual(r.request, { text: "a/b c" });
  });

  test("a custom verb: POST /v3/operations/42:cancel", async () => {
    const r = await call("Templates", "POST", "/v3/operations/42:cancel", '{"text":"why"}');
    assert.equal(r.method, "Templates.CancelResource");
    assert.deepEqual(r.request, { name: "operations/42", text: "why" });
  });

  test("a path that matches no template is 404 with google.rpc.Status JSON", async () => {
    const res = await serveOnly("Messaging1")(new Request("http://api.test/v1/nothing/here"));
    assert.equal(res.status, 404);
    assert.equal((await res.json()).code, 5);
  });

  test("a query parameter naming no field is 400 INVALID_ARGUMENT", async () => {
    const res = await serveOnly("Messaging2")(new Request("http://api.test/v1/messages/1?nope=1"));
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.code, 3);
    assert.match(body.message, /nope/);
  });
});
