import { afterEach, describe, expect, it } from "vitest";
import { retryDocument } from "../../src/decisions.js";
import { nextBatch, pendingOperations, queueCreate, queueDelete, queueUpdate, settleBatch, MAX_OPERATIONS } from "../../src/queue.js";
import { listDocuments, openStore, type Store } from "../../src/store.js";
import type { BatchRequest } from "../../src/types.js";

const NOW = "2026-12-01T00:00:00.000Z";
let opened: Store[] = [];
let dbCounter = 0;

async function freshStore(name = `queue-test-${++dbCounter}-${Math.random()}`): Promise<Store> {
  const store = await openStore(name);
  opened.push(store);
  return store;
}

afterEach(() => {
  opened.forEach((s) => s.close());
  opened = [];
});

function body(batch: { body: string }): BatchRequest {
  return JSON.parse(batch.body) as BatchRequest;
}

/** Confirms every operation of the next batch as the server would, version = base + 1 (1 for creates). */
async function confirmNext(store: Store): Promise<void> {
  const batch = (await nextBatch(store, "ws_t"))!;
  const request = body(batch);
  await settleBatch(store, batch, request.operations.map((op) => ({
    client_id: op.client_id, operation: op.operation, status: "success" as const, document_id: op.document_id!,
    version: op.operation === "create" ? 1 : (op.base_version ?? 0) + 1,
  })));
}

describe("the queue coalesces edits of one document", () => {
  it("a create followed by updates travels as one create with the latest fields", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "d1", title: "One", content: "a" }, NOW);
    await queueUpdate(store, "d1", { title: "One, renamed" }, NOW);
    await queueUpdate(store, "d1", { content: "b" }, NOW);

    const batch = body((await nextBatch(store, "ws_t"))!);
    expect(batch.operations).toHaveLength(1);
    expect(batch.operations[0]).toMatchObject({ operation: "create", document_id: "d1", data: { title: "One, renamed", content: "b" } });
    expect(batch.operations[0]!.base_version).toBeUndefined();
  });

  it("a create then a delete travels as nothing and leaves no local copy", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "d1", title: "One" }, NOW);
    await queueUpdate(store, "d1", { title: "Two" }, NOW);
    await queueDelete(store, "d1", NOW);

    expect(await pendingOperations(store)).toEqual([]);
    expect(await nextBatch(store, "ws_t")).toBeUndefined();
    expect(await listDocuments(store)).toEqual([]);
  });

  it("updates of a synced document travel as one update based on the last synced version", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "d1", title: "One" }, NOW);
    await confirmNext(store);
    await queueUpdate(store, "d1", { title: "A" }, NOW);
    await queueUpdate(store, "d1", { content: "B" }, NOW);

    const batch = body((await nextBatch(store, "ws_t"))!);
    expect(batch.operations).toEqual([
      { client_id: expect.stringMatching(/^op_/), operation: "update", document_id: "d1", base_version: 1, data: { title: "A", content: "B" } },
    ]);
  });

  it("an update then a delete travels as one delete", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "d1" }, NOW);
    await confirmNext(store);
    await queueUpdate(store, "d1", { title: "A" }, NOW);
    await queueDelete(store, "d1", NOW);

    const batch = body((await nextBatch(store, "ws_t"))!);
    expect(batch.operations).toEqual([{ client_id: expect.any(String), operation: "delete", document_id: "d1", base_version: 1 }]);
    expect((await listDocuments(store))[0]).toMatchObject({ document_id: "d1", deleted: true, sync_status: "pending" });
  });

  it("an edit made while a batch is in flight waits for the next batch instead of changing the sent one", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "d1", title: "One" }, NOW);
    const inFlight = (await nextBatch(store, "ws_t"))!;
    await queueUpdate(store, "d1", { title: "Later" }, NOW);

    expect(body((await nextBatch(store, "ws_t"))!)).toEqual(body(inFlight)); // the stored batch comes back unchanged
    await settleBatch(store, inFlight, [{ client_id: body(inFlight).operations[0]!.client_id, operation: "create", status: "success", document_id: "d1", version: 1 }]);
    const next = body((await nextBatch(store, "ws_t"))!);
    expect(next.operations).toEqual([{ client_id: expect.any(String), operation: "update", document_id: "d1", base_version: 1, data: { title: "Later" } }]);
  });
});

describe("batches respect the server's limits", () => {
  it("150 queued documents travel as a batch of 100 and a batch of 50", async () => {
    const store = await freshStore();
    for (let i = 0; i < 150; i++) await queueCreate(store, { document_id: `d${i}`, title: `#${i}` }, NOW);

    const first = (await nextBatch(store, "ws_t"))!;
    expect(body(first).operations).toHaveLength(MAX_OPERATIONS);
    await settleBatch(store, first, body(first).operations.map((op) => ({ client_id: op.client_id, operation: op.operation, status: "success" as const, document_id: op.document_id!, version: 1 })));
    const second = (await nextBatch(store, "ws_t"))!;
    expect(body(second).operations).toHaveLength(50);
    expect(second.key).not.toEqual(first.key);
  });

  it("a batch stays within 10 MiB of body", async () => {
    const store = await freshStore();
    const big = "x".repeat(4 * 1024 * 1024);
    for (let i = 0; i < 3; i++) await queueCreate(store, { document_id: `big${i}`, content: big }, NOW);

    const first = (await nextBatch(store, "ws_t"))!;
    expect(body(first).operations).toHaveLength(2);
    expect(new TextEncoder().encode(first.body).length).toBeLessThanOrEqual(10 * 1024 * 1024);
  });
});

describe("the queue survives a reload", () => {
  it("edits queued before a reload are pending after it, and a built batch keeps its Idempotency-Key and bytes", async () => {
    const name = `reload-${Math.random()}`;
    const before = await freshStore(name);
    await queueCreate(before, { document_id: "d1", title: "One" }, NOW);
    await queueCreate(before, { document_id: "d2", title: "Two" }, NOW);
    const built = (await nextBatch(before, "ws_t"))!;
    await queueCreate(before, { document_id: "d3", title: "Three" }, NOW);
    before.close();

    const after = await freshStore(name);
    expect((await pendingOperations(after)).map((op) => [op.document_id, op.batch_key])).toEqual([
      ["d1", built.key], ["d2", built.key], ["d3", null],
    ]);
    const again = (await nextBatch(after, "ws_t"))!;
    expect(again.key).toBe(built.key);
    expect(again.body).toBe(built.body);
    expect((await listDocuments(after)).map((d) => d.sync_status)).toEqual(["pending", "pending", "pending"]);
  });
});

describe("a document whose create failed", () => {
  it("keeps my content and sends nothing until retry(), which sends all of it; deleting it locally sends nothing", async () => {
    const store = await freshStore();
    await queueCreate(store, { document_id: "dup", title: "One" }, NOW);
    const batch = (await nextBatch(store, "ws_t"))!;
    await settleBatch(store, batch, [{ client_id: body(batch).operations[0]!.client_id, operation: "create", status: "error", document_id: "dup", error: { code: "invalid", message: "no" } }]);
    expect((await listDocuments(store))[0]).toMatchObject({ sync_status: "error", error: { code: "invalid" } });

    await queueUpdate(store, "dup", { title: "Two" }, NOW);
    expect(await nextBatch(store, "ws_t")).toBeUndefined();
    await retryDocument(store, "dup", NOW);
    expect(body((await nextBatch(store, "ws_t"))!).operations).toEqual([
      { client_id: expect.any(String), operation: "create", document_id: "dup", data: { title: "Two", content: "" } },
    ]);

    const other = await freshStore();
    await queueCreate(other, { document_id: "x" }, NOW);
    const b2 = (await nextBatch(other, "ws_t"))!;
    await settleBatch(other, b2, [{ client_id: body(b2).operations[0]!.client_id, operation: "create", status: "error", document_id: "x", error: { code: "invalid", message: "no" } }]);
    await queueDelete(other, "x", NOW);
    expect(await pendingOperations(other)).toEqual([]);
    expect(await listDocuments(other)).toEqual([]);
  });
});
