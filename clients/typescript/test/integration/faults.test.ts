import { afterEach, describe, expect, it } from "vitest";
import { baseUrl, client, closeClients, serverChanges, serverHistory } from "../support/api.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { freshWorkspace } from "../support/tokens.js";
import type { BatchRequest } from "../../src/types.js";

const proxies: FaultProxy[] = [];
afterEach(async () => {
  await closeClients();
  for (const p of proxies.splice(0)) await p.stop();
});

async function proxy(): Promise<FaultProxy> {
  const started = await new FaultProxy(baseUrl()).start();
  proxies.push(started);
  return started;
}

describe("pushes survive the network and the server's back-pressure", () => {
  it("a connection dropped after the server applied the batch is retried with the same key and applies nothing twice", async () => {
    const ws = freshWorkspace();
    const faults = await proxy();
    faults.dropAfterForward = 1;
    const alice = client("alice", ws, { baseUrl: faults.url });
    for (const id of ["x", "y", "z"]) await alice.documents.create({ document_id: id, title: id });

    const report = await alice.sync();

    expect(report).toMatchObject({ total: 3, successful: 3, failed: 0 });
    expect(faults.forwardedBatches).toBe(2);
    expect(new Set(faults.batchKeys).size).toBe(1);
    expect(faults.batchBodies[0]).toBe(faults.batchBodies[1]);
    for (const id of ["x", "y", "z"]) expect(await serverHistory(ws, id)).toEqual([expect.objectContaining({ version: 1, operation: "create" })]);
    expect(await serverChanges(ws)).toHaveLength(3);
    expect((await alice.documents.list()).every((d) => d.sync_status === "synced")).toBe(true);
  });

  it("a batch left unanswered before a reload is resent after it with its key, and applies once", async () => {
    const ws = freshWorkspace();
    const faults = await proxy();
    faults.dropAfterForward = 1;
    const before = client("alice", ws, { baseUrl: faults.url, retry: { attempts: 1 } });
    await before.documents.create({ document_id: "p", title: "P" });
    await before.documents.create({ document_id: "q", title: "Q" });
    const failed = await before.sync();
    expect(failed.failure?.code).toBe("unreachable");
    expect(faults.forwardedBatches).toBe(1); // the server has it; the client does not know
    await before.close();

    const after = client("alice", ws, { baseUrl: faults.url });
    expect((await after.pending()).every((op) => op.batch_key === faults.batchKeys[0])).toBe(true);
    const report = await after.sync();

    expect(report).toMatchObject({ total: 2, successful: 2 });
    expect(faults.batchKeys).toEqual([faults.batchKeys[0], faults.batchKeys[0]]);
    expect(await serverChanges(ws)).toHaveLength(2);
    expect(await after.documents.get("q")).toMatchObject({ sync_status: "synced", version: 1 });
  });

  it("an edit the server refuses (a NUL in its title) ends as an error alone; the rest of its batch is synced", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "fine-1", title: "Fine" });
    await alice.documents.create({ document_id: "bad", title: "a\u0000b" });
    await alice.documents.create({ document_id: "fine-2", title: "Also fine" });

    const report = await alice.sync();

    expect(report).toMatchObject({ total: 3, successful: 2, failed: 1 });
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ document_id: "bad", code: "rejected" });
    expect(report.errors[0]?.message).toContain("U+0000");
    const status = Object.fromEntries((await alice.documents.list()).map((d) => [d.document_id, d.sync_status]));
    expect(status).toEqual({ "fine-1": "synced", bad: "error", "fine-2": "synced" });
    expect(await alice.pending()).toEqual([]);
    expect((await serverChanges(ws)).map((c) => c.document_id).sort()).toEqual(["fine-1", "fine-2"]);
  });

  it("a queue of 150 operations travels as two batches, 100 and 50", async () => {
    const ws = freshWorkspace();
    const faults = await proxy();
    const alice = client("alice", ws, { baseUrl: faults.url });
    for (let i = 0; i < 150; i++) await alice.documents.create({ document_id: `n${i}`, title: `#${i}` });
    const progress: number[] = [];
    alice.on("progress", (p) => progress.push(p.applied));

    const report = await alice.sync();

    expect(report).toMatchObject({ total: 150, successful: 150, failed: 0, batches: 2 });
    expect(faults.batchBodies.map((b) => (JSON.parse(b) as BatchRequest).operations.length)).toEqual([100, 50]);
    expect(progress.at(-1)).toBe(150);
    expect(progress).toContain(100);
    expect(await serverChanges(ws)).toHaveLength(150);
  });

  it("429 and 503 are retried after their Retry-After, with the same Idempotency-Key", async () => {
    const ws = freshWorkspace();
    const faults = await proxy();
    faults.inject.push({ status: 429, retryAfter: "1" }, { status: 503, retryAfter: "1" });
    const alice = client("alice", ws, { baseUrl: faults.url });
    await alice.documents.create({ document_id: "r", title: "R" });

    const started = Date.now();
    const report = await alice.sync();
    const took = Date.now() - started;

    expect(report).toMatchObject({ total: 1, successful: 1 });
    expect(faults.batchKeys).toHaveLength(3);
    expect(new Set(faults.batchKeys).size).toBe(1);
    expect(faults.forwardedBatches).toBe(1);
    expect(took).toBeGreaterThanOrEqual(2_000); // two Retry-After: 1
    expect(await serverHistory(ws, "r")).toHaveLength(1);
  });

  it("a 202 from the real server is polled at its Location until the batch is completed", async () => {
    const ws = freshWorkspace();
    const faults = await proxy();
    faults.preferAsync = true;
    const alice = client("alice", ws, { baseUrl: faults.url });
    await alice.documents.create({ document_id: "async-1", title: "A" });
    await alice.documents.create({ document_id: "async-2", title: "B" });

    const report = await alice.sync();

    expect(faults.statuses[0]).toBe(202);
    expect(report).toMatchObject({ total: 2, successful: 2 });
    expect(await alice.documents.get("async-2")).toMatchObject({ sync_status: "synced", version: 1 });
  });
});
