import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient, type DocsyncClientOptions, type SyncStats } from "../../src/index.js";
import { BatchSizer } from "../../src/stats.js";
import type { BatchRequest, DocumentView, OperationResult } from "../../src/types.js";
import { fakeServer, json, type Handler, type Recorded } from "../support/fake-server.js";

// Issue 20: the sync measures itself (stats, adaptive batch size) and old stored batches are rebuilt.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, overrides: Partial<DocsyncClientOptions> = {}): Promise<{ client: DocsyncClient; requests: Recorded[] }> {
  const server = await fakeServer(handler);
  const client = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `measured-${Math.random()}`,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 }, isOnline: () => true, ...overrides,
  });
  cleanups.push(() => server.close());
  cleanups.push(() => client.close());
  return { client, requests: server.requests };
}

const operations = (req: Recorded) => (JSON.parse(req.body) as BatchRequest).operations;
const posts = (requests: Recorded[]) => requests.filter((r) => r.method === "POST");
const feed: Handler = (req, res) => json(res, 200, { items: [], next_cursor: "c0" });
const view = (id: string, version: number, fields: Partial<DocumentView> = {}): DocumentView => ({
  document_id: id, workspace_id: "ws_t", version, title: "", content: "", yjs_state_b64: null, deleted: false,
  created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z", updated_by: "me", ...fields,
});

function answer(req: Recorded, result: (op: BatchRequest["operations"][number]) => Partial<OperationResult> = () => ({})) {
  return {
    batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false,
    results: operations(req).map((op) => ({
      client_id: op.client_id, operation: op.operation, status: "success", document_id: op.document_id!,
      version: op.operation === "create" ? 1 : (op.base_version ?? 0) + 1, ...result(op),
    })),
  };
}

describe("the sync measures itself", () => {
  it("each sync yields stats (duration, requests, bytes, operations, retries, conflicts, time to first byte) as an event and in stats()", async () => {
    let posted = 0;
    const { client } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      if (posted++ === 0) return json(res, 503, { type: "about:blank", title: "x", status: 503, detail: "busy" }, { "Retry-After": "0" });
      json(res, 200, answer(req));
    });
    const events: SyncStats[] = [];
    client.on("stats", (s) => events.push(s));
    for (let i = 0; i < 3; i++) await client.documents.create({ document_id: `d${i}`, content: "x".repeat(100) });

    await client.sync();
    await client.sync();

    const stats = await client.stats();
    expect(stats).toHaveLength(2);
    expect(events).toEqual(stats);
    // 503 + 200 for the push, then a new database reads the snapshot and the feed after it.
    expect(stats[0]).toMatchObject({ operations: 3, requests: 4, retries: 1, conflicts: 0, batch_sizes: [3] });
    expect(stats[0]!.bytes_up).toBeGreaterThan(300);
    expect(stats[0]!.bytes_down).toBeGreaterThan(0);
    expect(stats[0]!.duration_ms).toBeGreaterThanOrEqual(0);
    expect(stats[0]!.ttfb_ms).toBeGreaterThanOrEqual(0);
    expect(stats[1]).toMatchObject({ operations: 0, requests: 1, retries: 0 });
  });

  it("keeps the last 50 syncs", async () => {
    const { client } = await setup(feed);
    for (let i = 0; i < 53; i++) await client.sync();
    const stats = await client.stats();
    expect(stats).toHaveLength(50);
  });

  it("sizes batches to the measured throughput: each push aimed at 2 s, between 10 and 100 operations", () => {
    const sizer = new BatchSizer(100);
    expect(sizer.size).toBe(100);
    sizer.observe(100, 4_000); // 25 ops/s → 50 per 2 s, less 10 % headroom
    expect(sizer.size).toBe(45);
    sizer.observe(50, 10_000); // 5 ops/s → 10 (the floor)
    expect(sizer.size).toBe(10);
    sizer.observe(10, 50); // fast again: grows, at most doubling per push
    expect(sizer.size).toBe(20);
    for (let i = 0; i < 5; i++) sizer.observe(sizer.size, 50);
    expect(sizer.size).toBe(100);
  });
});

describe("old batches", () => {
  it("a stored batch older than the key retention the server advertises is rebuilt under a new key; creates the server already has settle synced", async () => {
    let now = Date.parse("2026-12-01T00:00:00.000Z");
    let dropped = false;
    const { client, requests } = await setup((req, res) => {
      if (req.url === "/api/v1/limits") return json(res, 200, { max_operations: 100, max_request_bytes: 10485760, idempotency_retention_seconds: 3600 });
      if (req.method === "GET") return feed(req, res);
      if (!dropped) {
        dropped = true; // applied, but the answer is lost
        res.socket?.destroy();
        return;
      }
      // The key is forgotten: the same creates meet already_exists with what the first attempt wrote.
      json(res, 200, answer(req, (op) => op.operation === "create"
        ? { status: "error", error: { code: "already_exists", message: "exists" }, current: view(op.document_id!, 1, { title: (op.data?.title ?? ""), content: op.data?.content ?? "" }) }
        : {}));
    }, { retry: { attempts: 1 }, now: () => now });
    await client.documents.create({ document_id: "a", title: "A" });
    await client.documents.create({ document_id: "b", title: "B" });
    const first = await client.sync();
    expect(first.failure?.code).toBe("unreachable");

    now += 2 * 3600 * 1000; // two hours later; the server remembers keys for one
    const report = await client.sync();

    const [sent, resent] = posts(requests);
    expect(resent!.headers["idempotency-key"]).not.toBe(sent!.headers["idempotency-key"]);
    expect(operations(resent!).map((o) => o.document_id)).toEqual(["a", "b"]);
    expect(report).toMatchObject({ total: 2, successful: 2, failed: 0, errors: [] });
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "synced", version: 1 });
  });

  it("a create that meets already_exists with someone else's content stays an error with my content", async () => {
    const { client } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      json(res, 200, answer(req, (op) => ({ status: "error", error: { code: "already_exists", message: "exists" }, current: view(op.document_id!, 1, { title: "someone else's" }) })));
    });
    await client.documents.create({ document_id: "a", title: "mine" });

    const report = await client.sync();

    expect(report).toMatchObject({ successful: 0, failed: 1 });
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "error", title: "mine" });
  });
});
