import { forceCloseDatabase } from "fake-indexeddb";
import { openDB, unwrap, type IDBPDatabase } from "idb";
import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient, type DocsyncClientOptions, type DocsyncError } from "../../src/index.js";
import { openStore } from "../../src/store.js";
import { fakeServer, json } from "../support/fake-server.js";
import { eventually } from "../support/tokens.js";

// Issue 20, "durable storage": persistence asked for at start and reported, versioned upgrades, blocked /
// blocking / terminated handled, quota errors surfaced, clear() wipes the database; and IDs outside secure contexts.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function client(overrides: Partial<DocsyncClientOptions> = {}): Promise<DocsyncClient> {
  const server = await fakeServer((req, res) => {
    if (req.method === "GET" && req.url.includes("/documents/")) {
      return json(res, 200, { document_id: "big", workspace_id: "ws_t", version: 1, title: "big", content: "x", yjs_state_b64: null,
        deleted: false, created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z", updated_by: "other" });
    }
    if (req.method === "GET") {
      return json(res, 200, { items: [{ document_id: "big", version: 1, operation: "create", batch_id: "b", actor: "other", stamped_at: "2026-12-01T00:00:00.000Z" }], next_cursor: "c1" });
    }
    json(res, 500, {});
  });
  const made = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `storage-${Math.random()}`, isOnline: () => true,
    retry: { attempts: 1 }, ...overrides,
  });
  cleanups.push(() => server.close());
  cleanups.push(() => made.close());
  return made;
}

/** A database as version 1 of the client made it. */
function openVersion1(name: string) {
  return openDB(name, 1, {
    upgrade(db) {
      db.createObjectStore("documents", { keyPath: "document_id" });
      db.createObjectStore("queue", { keyPath: "id", autoIncrement: true }).createIndex("by_document", "document_id");
      db.createObjectStore("batches", { keyPath: "key" });
      db.createObjectStore("meta");
    },
  });
}

function withNavigator(value: unknown): void {
  const before = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value, configurable: true, writable: true });
  cleanups.push(() => {
    if (before) Object.defineProperty(globalThis, "navigator", before);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });
}

describe("durable storage", () => {
  it("asks for persistent storage at start and reports it with usage and quota", async () => {
    let asked = 0;
    withNavigator({ storage: { persist: async () => (++asked, true), persisted: async () => true, estimate: async () => ({ usage: 1234, quota: 5678 }) } });

    const c = await client();

    expect(await c.storage()).toEqual({ persisted: true, usage: 1234, quota: 5678 });
    expect(asked).toBe(1);
  });

  it("without a StorageManager (Node, old browsers) storage() says so instead of throwing", async () => {
    const c = await client();
    expect(await c.storage()).toEqual({ persisted: false, usage: null, quota: null });
  });

  it("upgrades a version-1 database in place: queued edits survive, new stores appear", async () => {
    const name = `upgrade-${Math.random()}`;
    const v1 = await openVersion1(name);
    await v1.put("documents", { document_id: "old", title: "Old", content: "", yjs_state_b64: null, version: null, sync_status: "pending", deleted: false, updated_at: null, updated_by: null });
    await v1.add("queue", { document_id: "old", operation: "create", data: { title: "Old" }, batch_key: null });
    v1.close();

    const store = await openStore(name);
    cleanups.push(() => store.close());

    expect(store.version).toBeGreaterThan(1);
    expect([...store.objectStoreNames]).toContain("stats");
    expect((await store.getAll("queue")).map((e) => e.document_id)).toEqual(["old"]);
    expect(await store.get("documents", "old")).toMatchObject({ title: "Old", sync_status: "pending" });
  });

  it("gives way to an upgrade (or delete) from another tab instead of blocking it, and says so", async () => {
    const name = `blocking-${Math.random()}`;
    const c = await client({ databaseName: name });
    await c.documents.create({ document_id: "d1" });
    const errors: DocsyncError[] = [];
    c.on("error", (e) => errors.push(e));

    const newer = openDB(name, 99);
    const opened = await Promise.race([newer, new Promise((r) => setTimeout(() => r("blocked"), 3_000))]);

    expect(opened).not.toBe("blocked");
    (await newer).close();
    expect(errors.map((e) => e.code)).toEqual(["versionchange"]);
  });

  it("says so when an older tab keeps the database from upgrading, and opens once it lets go", async () => {
    const name = `blocked-${Math.random()}`;
    const older = await openVersion1(name); // an older client's tab: no versionchange handler
    const c = await client({ databaseName: name });
    const errors: DocsyncError[] = [];
    c.on("error", (e) => errors.push(e));

    await eventually(async () => errors.length > 0, 2_000, "a blocked error");
    older.close();

    expect(errors.map((e) => e.code)).toEqual(["blocked"]);
    expect(await c.documents.list()).toEqual([]);
  });

  it("a local edit the browser refuses for quota is an `error` event as well as the caller's exception", async () => {
    const c = await client();
    await c.documents.list();
    const errors: DocsyncError[] = [];
    c.on("error", (e) => errors.push(e));
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = () => {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
    cleanups.push(() => {
      proto.put = put;
    });

    await expect(c.documents.create({ document_id: "too-much" })).rejects.toThrow(/quota/);

    expect(errors.map((e) => e.code)).toEqual(["quota"]);
  });

  it("a database the browser closed abnormally is reported and opened again on the next use", async () => {
    const name = `terminated-${Math.random()}`;
    const c = await client({ databaseName: name });
    await c.documents.create({ document_id: "d1", title: "kept" });
    const errors: DocsyncError[] = [];
    c.on("error", (e) => errors.push(e));

    const db = await (c as unknown as { db(): Promise<IDBPDatabase> }).db(); // the client's own connection
    forceCloseDatabase(unwrap(db) as never);
    await eventually(async () => errors.length > 0, 2_000, "a terminated error");

    expect(errors[0]?.code).toBe("terminated");
    expect(await c.documents.get("d1")).toMatchObject({ title: "kept" });
  });

  it("a QuotaExceededError during a sync is an `error` event and a failed sync(), never silent", async () => {
    const c = await client();
    const errors: DocsyncError[] = [];
    c.on("error", (e) => errors.push(e));
    await c.documents.list(); // opened
    const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown } } }).IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function (this: unknown, ...args: unknown[]) {
      if ((args[0] as { document_id?: string })?.document_id === "big") throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return put.apply(this, args);
    };
    cleanups.push(() => {
      proto.put = put;
    });

    const report = await c.sync();

    expect(report.failure?.code).toBe("storage");
    expect(errors.map((e) => e.code)).toEqual(["quota"]);
    expect(c.syncing).toBe(false);
  });

  it("clear() wipes the database (logout on a shared device)", async () => {
    const name = `clear-${Math.random()}`;
    const c = await client({ databaseName: name });
    await c.documents.create({ document_id: "secret", title: "Secret" });

    await c.clear();

    const again = await client({ databaseName: name });
    expect(await again.documents.list()).toEqual([]);
    expect(await again.pending()).toEqual([]);
  });
});

describe("document ids", () => {
  it("are UUIDs also outside secure contexts, where crypto.randomUUID is missing", async () => {
    const randomUUID = crypto.randomUUID;
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true, writable: true });
    cleanups.push(() => {
      Object.defineProperty(crypto, "randomUUID", { value: randomUUID, configurable: true, writable: true });
    });
    const c = await client();

    const a = await c.documents.create({ title: "no secure context" });
    const b = await c.documents.create({ title: "another" });

    expect(a.document_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b.document_id).not.toBe(a.document_id);
  });
});
