import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient } from "../../src/index.js";
import type { BatchRequest, DocumentView, OperationResult } from "../../src/types.js";
import { fakeServer, json, type Handler } from "../support/fake-server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(handler: Handler): Promise<{ client: DocsyncClient; requests: Awaited<ReturnType<typeof fakeServer>>["requests"] }> {
  const server = await fakeServer(handler);
  const client = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `sync-${Math.random()}`,
    retry: { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 }, isOnline: () => true,
  });
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { client, requests: server.requests };
}

const view = (id: string, version: number, title: string, deleted = false): DocumentView => ({
  document_id: id, workspace_id: "ws_t", version, title, content: "", yjs_state_b64: null, deleted,
  created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z", updated_by: "other",
});

function results(body: string, status: (op: BatchRequest["operations"][number]) => Partial<OperationResult> = () => ({})): OperationResult[] {
  return (JSON.parse(body) as BatchRequest).operations.map((op) => ({
    client_id: op.client_id, operation: op.operation, status: "success", document_id: op.document_id!,
    version: op.operation === "create" ? 1 : (op.base_version ?? 0) + 1, ...status(op),
  }));
}

const completed = (body: string, status?: Parameters<typeof results>[1]) =>
  ({ batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false, results: results(body, status) });

const emptyFeed: Handler = (req, res) => json(res, 200, { items: [], next_cursor: "c0" });

describe("sync() against a scripted server", () => {
  it("retries 429 and 503 after Retry-After with the same Idempotency-Key and body", async () => {
    let answered = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      answered++;
      if (answered === 1) return json(res, 429, { type: "about:blank", title: "Too Many Requests", status: 429, detail: "slow down" }, { "Retry-After": "0" });
      if (answered === 2) return json(res, 503, { type: "about:blank", title: "Unavailable", status: 503, detail: "log" }, { "Retry-After": "0" });
      json(res, 200, completed(req.body));
    });
    await client.documents.create({ document_id: "d1", title: "One" });

    const report = await client.sync();

    const posts = requests.filter((r) => r.method === "POST");
    expect(posts).toHaveLength(3);
    expect(new Set(posts.map((p) => p.headers["idempotency-key"])).size).toBe(1);
    expect(new Set(posts.map((p) => p.body)).size).toBe(1);
    expect(report).toMatchObject({ total: 1, successful: 1, failed: 0 });
    expect(await client.documents.get("d1")).toMatchObject({ sync_status: "synced", version: 1 });
  });

  it("polls the Location of a 202 until the batch is completed", async () => {
    let polls = 0;
    let sent = "";
    const { client } = await setup((req, res) => {
      if (req.method === "POST") {
        sent = req.body;
        return json(res, 202, { batch_id: "b", workspace_id: "ws_t", status: "pending" }, { Location: "/api/v1/batches/b" });
      }
      if (req.url.startsWith("/api/v1/batches/b")) {
        polls++;
        return polls < 3 ? json(res, 200, { batch_id: "b", workspace_id: "ws_t", status: "pending" }) : json(res, 200, completed(sent));
      }
      emptyFeed(req, res);
    });
    await client.documents.create({ document_id: "d1" });

    const report = await client.sync();

    expect(polls).toBe(3);
    expect(report.successful).toBe(1);
  });

  it("keeps operations queued when the server stays unreachable, and says why", async () => {
    const { client } = await setup((req, res) => json(res, 503, { type: "about:blank", title: "x", status: 503, detail: "down" }, { "Retry-After": "0" }));
    await client.documents.create({ document_id: "d1" });

    const report = await client.sync();

    expect(report.failure?.code).toBe("unreachable");
    expect(await client.pending()).toHaveLength(1);
    expect((await client.documents.get("d1"))?.sync_status).toBe("pending");
  });

  it("a refused batch (400) ends each of its operations as a visible error", async () => {
    const { client } = await setup((req, res) => req.method === "POST"
      ? json(res, 400, { type: "about:blank", title: "Bad Request", status: 400, detail: "bad", errors: [] })
      : emptyFeed(req, res));
    await client.documents.create({ document_id: "d1" });

    const report = await client.sync();

    expect(report.errors).toEqual([expect.objectContaining({ document_id: "d1", code: "rejected" })]);
    expect(await client.pending()).toEqual([]);
    expect(await client.documents.get("d1")).toMatchObject({ sync_status: "error", error: { code: "rejected" } });
  });

  it("a conflict keeps both versions; resolve(mine) re-applies my edit on theirs, resolve(theirs) takes theirs", async () => {
    let round = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      round++;
      if (round === 2) {
        return json(res, 200, completed(req.body, (op) => ({ status: "conflict", version: 5, current: view(op.document_id!, 5, `theirs ${op.document_id}`), error: { code: "version_conflict", message: "stale" } })));
      }
      return json(res, 200, completed(req.body, (op) => op.operation === "update" ? { version: (op.base_version ?? 0) + 1 } : {}));
    });
    await client.documents.create({ document_id: "a", title: "A" });
    await client.documents.create({ document_id: "b", title: "B" });
    await client.sync();
    await client.documents.update("a", { title: "mine a" });
    await client.documents.update("b", { title: "mine b" });
    const conflicts: string[] = [];
    client.on("conflict", (c) => conflicts.push(c.document_id));

    const report = await client.sync();

    expect(report.conflicts.map((c) => [c.document_id, c.mine.title, c.theirs.title])).toEqual([["a", "mine a", "theirs a"], ["b", "mine b", "theirs b"]]);
    expect(conflicts).toEqual(["a", "b"]);
    expect((await client.documents.get("a"))?.sync_status).toBe("conflict");

    await client.resolve("a", "mine");
    await client.resolve("b", "theirs");
    expect(await client.documents.get("b")).toMatchObject({ sync_status: "synced", title: "theirs b", version: 5 });
    await client.sync();

    const last = JSON.parse(requests.filter((r) => r.method === "POST").at(-1)!.body) as BatchRequest;
    expect(last.operations).toEqual([{ client_id: expect.any(String), operation: "update", document_id: "a", base_version: 5, data: { title: "mine a", content: "" } }]);
    expect(await client.documents.get("a")).toMatchObject({ sync_status: "synced", title: "mine a", version: 6 });
  });

  it("sync() offline sends nothing", async () => {
    const server = await fakeServer((req, res) => json(res, 500, {}));
    const client = createDocsyncClient({ baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `off-${Math.random()}`, isOnline: () => false });
    cleanups.push(async () => { await client.close(); await server.close(); });
    await client.documents.create({ document_id: "d1" });

    expect((await client.sync()).failure?.code).toBe("offline");
    expect(server.requests).toEqual([]);
  });
});
