// googleapis' own annotated example, google/example/library/v1/library.proto
// (from the google-proto-files package), compiled by wirecall's compiler and
// served over REST by an in-memory implementation.
import { describe, test } from "../support/test.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Code, createRouter, RpcError } from "wirecall";
import { createRestHandler } from "wirecall/transports/rest";
import { repoRoot } from "../support/repo-root.ts";
import { compileServices, serviceOf } from "./compile-services.ts";

interface Book {
  name: string;
  author: string;
  title: string;
  read: boolean;
}

function libraryHandler() {
  const registry = compileServices(
    {},
    [join(repoRoot, "node_modules", "google-proto-files")],
    ["google/example/library/v1/library.proto"],
  );
  const shelves = new Map<string, { name: string; theme: string }>();
  const books = new Map<string, Book>();
  let next = 1;
  const shelf = (name: string) => {
    const s = shelves.get(name);
    if (s === undefined) throw new RpcError(Code.NOT_FOUND, `no shelf ${name}`);
    return s;
  };
  const book = (name: string) => {
    const b = books.get(name);
    if (b === undefined) throw new RpcError(Code.NOT_FOUND, `no book ${name}`);
    return b;
  };
  // deno-lint-ignore no-explicit-any
  const impl: Record<string, (req: any) => unknown> = {
    createShelf: (req) => {
      const s = { name: `shelves/${next++}`, theme: req.shelf?.theme ?? "" };
      shelves.set(s.name, s);
      return s;
    },
    getShelf: (req) => shelf(req.name),
    listShelves: (req) => {
      const all = [...shelves.values()];
      const size = req.pageSize > 0 ? req.pageSize : all.length;
      const start = req.pageToken === "" ? 0 : Number(req.pageToken);
      const page = all.slice(start, start + size);
      const more = start + size < all.length;
      return { shelves: page, nextPageToken: more ? String(start + size) : "" };
    },
    deleteShelf: (req) => {
      shelf(req.name);
      shelves.delete(req.name);
      return {};
    },
    createBook: (req) => {
      shelf(req.parent);
      const b = { ...req.book, name: `${req.parent}/books/${next++}` };
      books.set(b.name, b);
      return b;
    },
    getBook: (req) => book(req.name),
    listBooks: (req) => ({
      books: [...books.values()].filter((b) => b.name.startsWith(req.parent + "/")),
    }),
    updateBook: (req) => {
      const b = book(req.book.name);
      for (const path of req.updateMask?.paths ?? ["author", "title", "read"]) {
        (b as unknown as Record<string, unknown>)[path] = req.book[path];
      }
      return b;
    },
    deleteBook: (req) => {
      book(req.name);
      books.delete(req.name);
      return {};
    },
    moveBook: (req) => {
      const b = book(req.name);
      shelf(req.otherShelfName);
      books.delete(b.name);
      const moved = { ...b, name: `${req.otherShelfName}/books/${next++}` };
      books.set(moved.name, moved);
      return moved;
    },
    mergeShelves: (req) => {
      const into = shelf(req.name);
      shelf(req.otherShelf);
      for (const b of [...books.values()]) {
        if (b.name.startsWith(req.otherShelf + "/")) {
          books.delete(b.name);
          const moved = { ...b, name: `${req.name}/books/${next++}` };
          books.set(moved.name, moved);
        }
      }
      shelves.delete(req.otherShelf);
      return into;
    },
  };
  const router = createRouter().service(
    serviceOf(registry, "google.example.library.v1.LibraryService"),
    impl as never,
  );
  const handler = createRestHandler(router, { pathPrefix: "/api" });
  return async (method: string, path: string, body?: unknown, raw?: string) => {
    const res = await handler(
      new Request(`http://library.test/api${path}`, {
        method,
        body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      }),
    );
    return { status: res.status, json: await res.json() };
  };
}

describe("REST transcoding: googleapis' Library example", () => {
  test("the whole resource life cycle works over REST, as the annotations say", async () => {
    const call = libraryHandler();
    const fiction = await call("POST", "/v1/shelves", { theme: "Fiction" });
    assert.deepEqual(fiction, { status: 200, json: { name: "shelves/1", theme: "Fiction" } });
    await call("POST", "/v1/shelves", { theme: "Poetry" });

    assert.deepEqual((await call("GET", "/v1/shelves/1")).json, {
      name: "shelves/1",
      theme: "Fiction",
    });
    const page = await call("GET", "/v1/shelves?pageSize=1");
    assert.deepEqual(page.json, {
      shelves: [{ name: "shelves/1", theme: "Fiction" }],
      nextPageToken: "1",
    });
    const rest = await call("GET", "/v1/shelves?page_size=1&page_token=1");
    assert.deepEqual(rest.json.shelves, [{ name: "shelves/2", theme: "Poetry" }]);

    const book = await call("POST", "/v1/shelves/1/books", {
      author: "Le Guin",
      title: "Earthsea",
    });
    assert.deepEqual(book.json, {
      name: "shelves/1/books/3",
      author: "Le Guin",
      title: "Earthsea",
    });
    assert.equal((await call("GET", "/v1/shelves/1/books/3")).json.title, "Earthsea");
    assert.equal((await call("GET", "/v1/shelves/1/books")).json.books.length, 1);

    const updated = await call("PATCH", "/v1/shelves/1/books/3?update_mask=read", {
      read: true,
      title: "ignored by the mask",
    });
    assert.deepEqual(updated.json, {
      name: "shelves/1/books/3",
      author: "Le Guin",
      title: "Earthsea",
      read: true,
    });

    const moved = await call("POST", "/v1/shelves/1/books/3:move", { otherShelfName: "shelves/2" });
    assert.equal(moved.json.name, "shelves/2/books/4");
    const merged = await call("POST", "/v1/shelves/1:merge", { other_shelf: "shelves/2" });
    assert.deepEqual(merged.json, { name: "shelves/1", theme: "Fiction" });
    assert.deepEqual(
      (await call("GET", "/v1/shelves/1/books")).json.books.map((b: Book) => b.title),
      [
        "Earthsea",
      ],
    );

    assert.deepEqual(await call("DELETE", "/v1/shelves/1/books/5"), { status: 200, json: {} });
    assert.deepEqual(await call("DELETE", "/v1/shelves/1"), { status: 200, json: {} });
  });

  test("a missing resource is HTTP 404 with google.rpc.Status JSON", async () => {
    const call = libraryHandler();
    assert.deepEqual(await call("GET", "/v1/shelves/99"), {
      status: 404,
      json: { code: Code.NOT_FOUND, message: "no shelf shelves/99", details: [] },
    });
  });

  test("a body that is not JSON is HTTP 400 INVALID_ARGUMENT", async () => {
    const call = libraryHandler();
    const res = await call("POST", "/v1/shelves", undefined, "{not json");
    assert.equal(res.status, 400);
    assert.equal(res.json.code, Code.INVALID_ARGUMENT);
    assert.match(res.json.message, /not JSON/);
  });

  test("a field of the wrong JSON type is HTTP 400 naming the message", async () => {
    const call = libraryHandler();
    const res = await call("POST", "/v1/shelves", { theme: 42 });
    assert.equal(res.status, 400);
    assert.match(res.json.message, /google\.example\.library\.v1\.CreateShelfRequest/);
  });

  test("a body over the limit is HTTP 429 RESOURCE_EXHAUSTED", async () => {
    const registry = compileServices(
      {},
      [join(repoRoot, "node_modules", "google-proto-files")],
      ["google/example/library/v1/library.proto"],
    );
    const router = createRouter().service(
      serviceOf(registry, "google.example.library.v1.LibraryService"),
      { createShelf: () => ({}) } as never,
    );
    const res = await createRestHandler(router, { maxReceiveMessageBytes: 100 })(
      new Request("http://x/v1/shelves", {
        method: "POST",
        body: JSON.stringify({ theme: "x".repeat(500) }),
      }),
    );
    assert.equal(res.status, 429);
    assert.equal((await res.json()).code, Code.RESOURCE_EXHAUSTED);
  });
});
