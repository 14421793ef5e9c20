import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient, type DocsyncClientOptions } from "../../src/index.js";
import { nextBatch, queueCreate, rejectBatch } from "../../src/queue.js";
import { openStore } from "../../src/store.js";
import type { BatchRequest, DocumentView, OperationResult } from "../../src/types.js";
import { fakeServer, json, type Handler, type Recorded } from "../support/fake-server.js";

// Issue 20, "nothing lost": every edit ends synced, conflict or error and keeps the user's content until the user
// decides (retry / discard); each item of "Stuck forever" and "After a partial 400" with its own test.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, overrides: Partial<DocsyncClientOptions> = {}): Promise<{ client: DocsyncClient; requests: Recorded[] }> {
  const server = await fakeServer(handler);
  const client = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `lost-${Math.random()}`,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, isOnline: () => true, requestTimeoutMs: 2_000, ...overrides,
  });
  cleanups.push(() => server.close());
  cleanups.push(() => client.close());
  return { client, requests: server.requests };
}

const view = (id: string, version: number, fields: Partial<DocumentView> = {}): DocumentView => ({
  document_id: id, workspace_id: "ws_t", version, title: "theirs", content: "", yjs_state_b64: null, deleted: false,
  created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z", updated_by: "other", ...fields,
});

const operations = (req: Recorded) => (JSON.parse(req.body) as BatchRequest).operations;
const posts = (requests: Recorded[]) => requests.filter((r) => r.method === "POST");

function answer(req: Recorded, result: (op: BatchRequest["operations"][number]) => Partial<OperationResult> = () => ({})) {
  return {
    batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false,
    results: operations(req).map((op) => ({
      client_id: op.client_id, operation: op.operation, status: "success", document_id: op.document_id!,
      version: op.operation === "create" ? 1 : (op.base_version ?? 0) + 1, ...result(op),
    })),
  };
}

const feed: Handler = (req, res) => json(res, 200, { items: [], next_cursor: "c0" });
const badRequest = (pointer: string) => ({ type: "about:blank", title: "Bad Request", status: 400, detail: "U+0000 in a string", errors: [{ pointer, message: "U+0000" }] });

describe("stuck forever (each fixed)", () => {
  it("operations a result omits are sent again, not frozen forever", async () => {
    let round = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      const full = answer(req);
      if (round++ === 0) full.results = full.results.filter((r) => r.document_id !== "b"); // the server forgot b
      json(res, 200, full);
    });
    await client.documents.create({ document_id: "a" });
    await client.documents.create({ document_id: "b" });

    await client.sync();
    await client.sync();

    expect(posts(requests).map((p) => operations(p).map((o) => o.document_id))).toEqual([["a", "b"], ["b"]]);
    expect((await client.documents.get("b"))?.sync_status).toBe("synced");
    expect(await client.pending()).toEqual([]);
  });

  it("a delete queued while its create is in flight: when the create fails, the document is gone (nothing stuck)", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    const { client } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      void held.then(() => json(res, 200, answer(req, () => ({ status: "error", error: { code: "already_exists", message: "exists" }, current: view("d1", 3) }))));
    });
    await client.documents.create({ document_id: "d1", title: "Mine" });
    const syncing = client.sync();
    await waitFor(async () => (await client.pending()).some((op) => op.batch_key !== null));
    await client.documents.delete("d1");
    release();

    const report = await syncing;

    expect(report.errors.map((e) => e.code)).toEqual(["already_exists"]);
    expect(await client.documents.get("d1")).toBeUndefined();
    expect(await client.pending()).toEqual([]);
  });

  it("current_omitted: the conflict can be resolved even when reading the server's copy failed during the sync", async () => {
    let reads = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.url.startsWith("/api/v1/workspaces/ws_t/documents/d1")) {
        if (reads++ === 0) return json(res, 500, { type: "about:blank", title: "x", status: 500, detail: "down" });
        return json(res, 200, view("d1", 4, { title: "Theirs" }));
      }
      if (req.method === "GET") return feed(req, res);
      const round = posts(requests).length;
      if (round === 1) return json(res, 200, answer(req));
      if (round === 2) return json(res, 200, answer(req, () => ({ status: "conflict", version: 4, current_omitted: true, error: { code: "version_conflict", message: "stale" } })));
      json(res, 200, answer(req));
    });
    await client.documents.create({ document_id: "d1", title: "v1" });
    await client.sync();
    await client.documents.update("d1", { title: "Mine" });
    await client.sync();
    expect((await client.documents.get("d1"))?.sync_status).toBe("conflict");

    await client.resolve("d1", "mine");
    await client.sync();

    expect(operations(posts(requests).at(-1)!)).toEqual([{ client_id: expect.any(String), operation: "update", document_id: "d1", base_version: 4, data: { title: "Mine", content: "" } }]);
    expect(await client.documents.get("d1")).toMatchObject({ sync_status: "synced", version: 5, title: "Mine" });
  });

  it("a result without client_id (an unreadable-event rejection) ends each operation as an error instead of resending forever", async () => {
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      json(res, 200, { batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false, total: 2, successful: 0, failed: 2,
        results: [{ operation: "create", status: "error", error: { code: "unappliable", message: "the projection refused the batch" } }] });
    });
    await client.documents.create({ document_id: "a", title: "A" });
    await client.documents.create({ document_id: "b", title: "B" });

    const report = await client.sync();
    await client.sync();

    expect(report.errors.map((e) => [e.document_id, e.code])).toEqual([["a", "unappliable"], ["b", "unappliable"]]);
    expect(posts(requests)).toHaveLength(1);
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "error", title: "A" });
  });
});

describe("after a partial 400 (each fixed)", () => {
  it("a reopened entry is merged with a newer edit of the same document: one update, not a conflict with oneself", async () => {
    let client!: DocsyncClient;
    let requests!: Recorded[];
    let rounds = 0;
    ({ client, requests } = await setup(async (req, res) => {
      if (req.method === "GET") return feed(req, res);
      const ops = operations(req);
      if (++rounds === 2) {
        await client.documents.update("a", { content: "edited while in flight" });
        return json(res, 400, badRequest(`/operations/${ops.findIndex((o) => o.document_id === "bad")}/data/title`));
      }
      json(res, 200, answer(req));
    }));
    await client.documents.create({ document_id: "a", title: "A" });
    await client.sync();
    await client.documents.update("a", { title: "A2" });
    await client.documents.create({ document_id: "bad", title: "b\u0000" });

    const report = await client.sync();

    expect(report.errors.map((e) => e.document_id)).toEqual(["bad"]);
    expect(operations(posts(requests).at(-1)!)).toEqual([
      { client_id: expect.any(String), operation: "update", document_id: "a", base_version: 1, data: { title: "A2", content: "edited while in flight" } },
    ]);
    expect(report).toMatchObject({ successful: 1, conflicts: [] });
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "synced", version: 2, title: "A2", content: "edited while in flight" });
  });

  it("the fields of a rejected edit never end `synced`: later edits wait for retry(), which sends all of it", async () => {
    let round = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      round++;
      if (round === 2) return json(res, 400, badRequest("/operations/0/data/title"));
      json(res, 200, answer(req));
    });
    await client.documents.create({ document_id: "a", title: "A" });
    await client.sync();
    await client.documents.update("a", { title: "bad\u0000" });
    await client.sync();
    expect((await client.documents.get("a"))?.sync_status).toBe("error");

    await client.documents.update("a", { content: "more" });
    await client.sync();

    expect(posts(requests)).toHaveLength(2); // nothing of "a" travels until the user decides
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "error", title: "bad\u0000", content: "more" });

    await client.documents.update("a", { title: "fixed" });
    await client.retry("a");
    await client.sync();
    expect(operations(posts(requests).at(-1)!)).toEqual([{ client_id: expect.any(String), operation: "update", document_id: "a", base_version: 1, data: { title: "fixed", content: "more" } }]);
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "synced", version: 2 });
  });

  it("a late 400 for a batch another tab already settled does not reopen entries frozen into a newer batch", async () => {
    const store = await openStore(`late-400-${Math.random()}`);
    cleanups.push(() => store.close());
    await queueCreate(store, { document_id: "ok", title: "fine" }, "2026-12-01T00:00:00.000Z");
    await queueCreate(store, { document_id: "bad", title: "b\u0000" }, "2026-12-01T00:00:00.000Z");
    const first = (await nextBatch(store, "ws_t"))!;
    await rejectBatch(store, first, "rejected", "400", new Set([1])); // tab A: "ok" goes back to the queue
    const second = (await nextBatch(store, "ws_t"))!; // tab A freezes it into its next batch

    await rejectBatch(store, first, "rejected", "400", new Set([1])); // tab B's late answer to the first batch

    const entry = (await store.getAll("queue")).find((e) => e.document_id === "ok");
    expect(entry?.batch_key).toBe(second.key);
  });
});

describe("an errored document keeps my content until I decide", () => {
  it("retry(id) sends my content again; discard(id) takes the server's copy", async () => {
    const { client, requests } = await setup((req, res) => {
      if (req.url.startsWith("/api/v1/workspaces/ws_t/documents/")) return json(res, 200, view(decodeURIComponent(req.url.split("/").at(-1)!), 7, { title: "Server's" }));
      if (req.method === "GET") return feed(req, res);
      const n = posts(requests).length;
      if (n === 1) return json(res, 200, answer(req, (op) => ({ status: "error", error: { code: "already_exists", message: "exists" }, current: view(op.document_id!, 3, { title: "Theirs" }) })));
      json(res, 200, answer(req));
    });
    await client.documents.create({ document_id: "x", title: "Mine" });
    await client.documents.create({ document_id: "y", title: "Mine too" });
    await client.sync();
    expect(await client.documents.get("x")).toMatchObject({ sync_status: "error", title: "Mine" });

    await client.retry("x"); // I decide: mine over theirs, on their version
    await client.sync();
    expect(operations(posts(requests).at(-1)!)).toEqual([expect.objectContaining({ operation: "update", document_id: "x", base_version: 3, data: { title: "Mine", content: "" } })]);
    expect(await client.documents.get("x")).toMatchObject({ sync_status: "synced", version: 4, title: "Mine" });

    expect(await client.documents.get("y")).toMatchObject({ sync_status: "error" });
    await client.discard("y");
    expect(await client.documents.get("y")).toMatchObject({ sync_status: "synced", title: "Theirs", version: 3 });
  });
});

async function waitFor(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}
