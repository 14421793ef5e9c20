import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import { MAX_YJS_MERGES, createDocsyncClient, type DocsyncClient, type DocsyncClientOptions } from "../../src/index.js";
import type { BatchRequest, Conflict, DocumentView, OperationResult } from "../../src/types.js";
import { applyRemote } from "../../src/decisions.js";
import { queueCreate, queueUpdate, settleBatch, nextBatch } from "../../src/queue.js";
import { openStore } from "../../src/store.js";
import { fakeServer, json, type Handler } from "../support/fake-server.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function setup(handler: Handler, options: Partial<DocsyncClientOptions> = {}) {
  const server = await fakeServer(handler);
  const client: DocsyncClient = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `merge-${Math.random()}`,
    retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 }, isOnline: () => true, ...options,
  });
  cleanups.push(async () => {
    await client.close();
    await server.close();
  });
  return { client, requests: server.requests };
}

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const text = (b64: string | null) => {
  const doc = new Y.Doc();
  if (b64) Y.applyUpdate(doc, new Uint8Array(Buffer.from(b64, "base64")));
  return doc.getText("t").toString();
};

const view = (id: string, version: number, fields: Partial<DocumentView> = {}): DocumentView => ({
  document_id: id, workspace_id: "ws_t", version, title: "", content: "", yjs_state_b64: null, deleted: false,
  created_at: "2026-12-01T00:00:00.000Z", updated_at: "2026-12-01T00:00:00.000Z", updated_by: "other", ...fields,
});

const ops = (body: string) => JSON.parse(body) as BatchRequest;
const completed = (results: OperationResult[]) => ({ batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false, results });
const emptyFeed: Handler = (_req, res) => json(res, 200, { items: [], next_cursor: "c0" });

describe("onConflict: merge against a scripted server", () => {
  it("a merged result counts as successful and as merged, and the copy takes the merged state until my next edit", async () => {
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      const op = ops(req.body).operations[0]!;
      if (op.operation === "create") return json(res, 200, completed([{ client_id: op.client_id, operation: "create", status: "success", document_id: "d", version: 1 }]));
      json(res, 200, completed([{
        client_id: op.client_id, operation: "update", status: "merged", document_id: "d", version: 3,
        merge: { algorithm: "diff3-lines/1", from_base_version: 1 },
        current: view("d", 3, { title: "mine", content: "theirs and mine" }),
      }]));
    }, { onConflict: "merge" });
    await client.documents.create({ document_id: "d", title: "start" });
    await client.sync();
    await client.documents.update("d", { title: "mine" });

    const report = await client.sync();

    expect(ops(requests.filter((r) => r.method === "POST").at(-1)!.body).on_conflict).toBe("merge");
    expect(report).toMatchObject({ total: 1, successful: 1, failed: 0, merged: 1, conflicts: [] });
    expect((await client.stats()).at(-1)).toMatchObject({ merged: 1, conflicts: 0 });
    expect(await client.documents.get("d")).toMatchObject({
      sync_status: "synced", version: 3, content: "theirs and mine",
      merged: { from_base_version: 1, version: 3, algorithm: "diff3-lines/1" },
    });
    await client.documents.update("d", { title: "again" });
    expect((await client.documents.get("d"))?.merged).toBeUndefined();
  });

  it("the default sends no on_conflict, and a report counts nothing as merged", async () => {
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      const op = ops(req.body).operations[0]!;
      json(res, 200, completed([{ client_id: op.client_id, operation: "create", status: "success", document_id: "d", version: 1 }]));
    });
    await client.documents.create({ document_id: "d", title: "start" });

    expect(await client.sync()).toMatchObject({ successful: 1, merged: 0 });
    expect(ops(requests.find((r) => r.method === "POST")!.body).on_conflict).toBeUndefined();
  });

  it("a Yjs collision is merged locally and sent again a bounded number of times, then it is a conflict that keeps my edit", async () => {
    // The server: another writer edits the Yjs document before each of my sends, so every send collides.
    const theirs = new Y.Doc();
    theirs.getText("t").insert(0, "base");
    let version = 1;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      const op = ops(req.body).operations[0]!;
      if (op.operation === "create") return json(res, 200, completed([{ client_id: op.client_id, operation: "create", status: "success", document_id: "y", version: 1 }]));
      theirs.getText("t").insert(0, `T${version}.`);
      version++;
      json(res, 200, completed([{
        client_id: op.client_id, operation: "update", status: "conflict", document_id: "y", version,
        error: { code: "merge_conflict", message: "yjs_state_b64 changed on both sides" },
        merge: { algorithm: "diff3-lines/1", from_base_version: op.base_version!, fields: ["yjs_state_b64"] },
        current: view("y", version, { yjs_state_b64: toB64(Y.encodeStateAsUpdate(theirs)) }),
      }]));
    }, { onConflict: "merge" });
    await client.documents.create({ document_id: "y", yjs_state_b64: toB64(Y.encodeStateAsUpdate(theirs)) });
    await client.sync();
    const mine = new Y.Doc();
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(theirs));
    mine.getText("t").insert(4, " mine");
    await client.documents.update("y", { yjs_state_b64: toB64(Y.encodeStateAsUpdate(mine)) });
    const conflicts: Conflict[] = [];
    client.on("conflict", (c) => conflicts.push(c));

    const report = await client.sync();

    const updates = requests.filter((r) => r.method === "POST").slice(1).map((r) => ops(r.body).operations[0]!);
    expect(MAX_YJS_MERGES).toBe(3);
    expect(updates).toHaveLength(1 + MAX_YJS_MERGES);
    // Each send after a local merge goes on the server's version it merged with.
    expect(updates.map((u) => u.base_version)).toEqual([1, 2, 3, 4]);
    expect(report).toMatchObject({ failed: 1, merged: 0 });
    expect(conflicts).toHaveLength(1);
    const doc = await client.documents.get("y");
    expect(doc).toMatchObject({ sync_status: "conflict", conflict: { merge: { fields: ["yjs_state_b64"] } } });
    // Nothing of mine was dropped: my copy holds my edit merged with every state of theirs it met.
    expect(text(doc!.yjs_state_b64)).toBe("T3.T2.T1.base mine");
    expect(text(doc!.conflict!.mine.yjs_state_b64)).toBe("T3.T2.T1.base mine");
    expect(text(doc!.conflict!.theirs.yjs_state_b64)).toBe("T4.T3.T2.T1.base");
    expect(await client.pending()).toEqual([]);
  });

  it("after Yjs merges my changed content goes separately on the version I edited, for the server to merge; fields I left take theirs", async () => {
    const start = new Y.Doc();
    start.getText("t").insert(0, "base");
    const theirs = new Y.Doc();
    Y.applyUpdate(theirs, Y.encodeStateAsUpdate(start));
    theirs.getText("t").insert(0, "theirs ");
    const theirsB64 = toB64(Y.encodeStateAsUpdate(theirs));
    const sent: BatchRequest["operations"] = [];
    const { client } = await setup((req, res) => {
      if (req.method === "GET") return emptyFeed(req, res);
      const op = ops(req.body).operations[0]!;
      sent.push(op);
      const answer = (result: Partial<OperationResult>) => json(res, 200, completed([{ client_id: op.client_id, operation: op.operation, document_id: "y", status: "success", ...result }]));
      if (op.operation === "create") return answer({ version: 1 });
      // The first two sends collide on the Yjs state (the second with a state written meanwhile), the third applies.
      if (sent.length === 2 || sent.length === 3) {
        const version = sent.length;
        return answer({
          status: "conflict", version, error: { code: "merge_conflict", message: "yjs" },
          merge: { algorithm: "diff3-lines/1", from_base_version: op.base_version!, fields: ["yjs_state_b64"] },
          current: view("y", version, { title: "Their title", content: "line\ntheirs\n", yjs_state_b64: theirsB64 }),
        });
      }
      if (sent.length === 4) return answer({ version: 4 });
      answer({
        status: "merged", version: 5, merge: { algorithm: "diff3-lines/1", from_base_version: 1 },
        current: view("y", 5, { title: "Their title", content: "mine\ntheirs\n", yjs_state_b64: theirsB64 }),
      });
    }, { onConflict: "merge" });
    await client.documents.create({ document_id: "y", title: "Title", content: "line\n", yjs_state_b64: toB64(Y.encodeStateAsUpdate(start)) });
    await client.sync();
    const mine = new Y.Doc();
    Y.applyUpdate(mine, Y.encodeStateAsUpdate(start));
    mine.getText("t").insert(4, " mine");
    await client.documents.update("y", { content: "mine\n", yjs_state_b64: toB64(Y.encodeStateAsUpdate(mine)) });

    const report = await client.sync();

    expect(sent.slice(1).map((op) => [op.base_version, Object.keys(op.data ?? {}).sort()])).toEqual([
      [1, ["content", "yjs_state_b64"]],
      [2, ["yjs_state_b64"]], // the merged state, on the server's version
      [3, ["yjs_state_b64"]], // merged again with the state written meanwhile
      [1, ["content"]], // my content, on the version I edited: the server merges it
    ]);
    expect(text(sent[2]!.data!.yjs_state_b64!)).toBe("theirs base mine");
    expect(report).toMatchObject({ total: 2, successful: 2, merged: 2, failed: 0, conflicts: [] });
    expect(await client.documents.get("y")).toMatchObject({
      sync_status: "synced", version: 5, title: "Their title", content: "mine\ntheirs\n", merged: { from_base_version: 1, version: 5 },
    });
  });

  it("with merge on, a pulled change leaves a pending edit pending for its push to merge; in report mode it is a conflict", async () => {
    for (const mergePending of [true, false]) {
      const store = await openStore(`merge-pull-${mergePending}-${Math.random()}`);
      await queueCreate(store, { document_id: "d", title: "start" }, "2026-12-01T00:00:00.000Z");
      const batch = (await nextBatch(store, "ws_t"))!;
      await settleBatch(store, batch, [{ client_id: ops(batch.body).operations[0]!.client_id, operation: "create", status: "success", document_id: "d", version: 1 }]);
      await queueUpdate(store, "d", { title: "mine" }, "2026-12-01T00:00:01.000Z");

      const { outcome } = await applyRemote(store, "d", view("d", 2, { title: "theirs" }), { mergePending });

      expect(outcome).toBe(mergePending ? "unchanged" : "conflict");
      expect(await store.get("documents", "d")).toMatchObject({ title: "mine", version: 1, sync_status: mergePending ? "pending" : "conflict" });
      store.close();
    }
  });
});
