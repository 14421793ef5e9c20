import { afterEach, describe, expect, it } from "vitest";
import { client, closeClients, serverChanges, serverDocument, serverHistory } from "../support/api.js";
import { freshWorkspace } from "../support/tokens.js";

afterEach(closeClients);

describe("the original system's three flows, against the real local stack", () => {
  it("five documents created offline travel in one sync and end synced", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    for (let i = 1; i <= 5; i++) await alice.documents.create({ document_id: `note-${i}`, title: `Note ${i}`, content: `# ${i}` });
    expect(await alice.pending()).toHaveLength(5);

    const report = await alice.sync();

    expect(report).toMatchObject({ total: 5, successful: 5, failed: 0, conflicts: [], errors: [], batches: 1 });
    expect(report.failure).toBeUndefined();
    const docs = await alice.documents.list();
    expect(docs.map((d) => [d.document_id, d.sync_status, d.version])).toEqual(
      [1, 2, 3, 4, 5].map((i) => [`note-${i}`, "synced", 1]));
    expect(await alice.pending()).toEqual([]);
    expect(await serverDocument(ws, "note-3")).toMatchObject({ status: 200, title: "Note 3", content: "# 3", version: 1 });
  });

  it("three creates and two updates of synced documents end synced with the right versions", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "a", title: "A" });
    await alice.documents.create({ document_id: "b", title: "B" });
    await alice.sync();
    for (const id of ["c", "d", "e"]) await alice.documents.create({ document_id: id, title: id.toUpperCase() });
    await alice.documents.update("a", { title: "A, edited" });
    await alice.documents.update("b", { content: "more" });
    await alice.documents.update("b", { title: "B, edited" }); // coalesced with the previous update

    const report = await alice.sync();

    expect(report).toMatchObject({ total: 5, successful: 5, failed: 0, batches: 1 });
    const versions = Object.fromEntries((await alice.documents.list()).map((d) => [d.document_id, [d.version, d.sync_status]]));
    expect(versions).toEqual({ a: [2, "synced"], b: [2, "synced"], c: [1, "synced"], d: [1, "synced"], e: [1, "synced"] });
    expect(await serverDocument(ws, "b")).toMatchObject({ version: 2, title: "B, edited", content: "more" });
  });

  it("two users edit one document: the second gets a conflict with the first's state, and both resolutions work", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    const bob = client("bob", ws);
    await alice.documents.create({ document_id: "shared", title: "Draft", content: "v1" });
    await alice.sync();
    const bobPulled = await bob.sync();
    expect(bobPulled.pulled).toBe(1);
    expect(await bob.documents.get("shared")).toMatchObject({ version: 1, sync_status: "synced", title: "Draft" });

    // Round 1: Alice first, Bob's edit conflicts; Bob keeps his.
    await alice.documents.update("shared", { title: "Alice's title" });
    await alice.sync();
    await bob.documents.update("shared", { title: "Bob's title" });
    const conflicted = await bob.sync();
    expect(conflicted.conflicts).toHaveLength(1);
    expect(conflicted.conflicts[0]).toMatchObject({
      document_id: "shared", mine: { title: "Bob's title" }, theirs: { version: 2, title: "Alice's title", updated_by: "alice" },
    });
    expect(await bob.documents.get("shared")).toMatchObject({ sync_status: "conflict" });

    await bob.resolve("shared", "mine");
    const kept = await bob.sync();
    expect(kept).toMatchObject({ successful: 1, conflicts: [] });
    expect(await serverDocument(ws, "shared")).toMatchObject({ version: 3, title: "Bob's title", content: "v1", updated_by: "bob" });

    // Round 2: Alice again (she first pulls Bob's version), Bob takes hers.
    await alice.sync();
    expect(await alice.documents.get("shared")).toMatchObject({ version: 3, title: "Bob's title", sync_status: "synced" });
    await alice.documents.update("shared", { content: "Alice's content" });
    await alice.sync();
    await bob.documents.update("shared", { content: "Bob's content" });
    const second = await bob.sync();
    expect(second.conflicts[0]?.theirs).toMatchObject({ version: 4, content: "Alice's content" });

    await bob.resolve("shared", "theirs");
    expect(await bob.documents.get("shared")).toMatchObject({ version: 4, content: "Alice's content", sync_status: "synced" });
    expect(await bob.pending()).toEqual([]);
    await bob.sync();
    expect(await serverDocument(ws, "shared")).toMatchObject({ version: 4, content: "Alice's content" });
    expect((await serverHistory(ws, "shared")).map((h) => h.version)).toEqual([1, 2, 3, 4]);
  });

  it("a deletion synced by one user removes the other's copy; a create-then-delete never reaches the server", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    const bob = client("bob", ws);
    await alice.documents.create({ document_id: "gone", title: "Soon gone" });
    await alice.documents.create({ document_id: "never", title: "Never sent" });
    await alice.documents.delete("never");
    await alice.sync();
    await bob.sync();
    await alice.documents.delete("gone");
    expect(await alice.documents.get("gone")).toMatchObject({ deleted: true, sync_status: "pending" });

    await alice.sync();
    await bob.sync();

    expect(await alice.documents.get("gone")).toBeUndefined();
    expect(await bob.documents.get("gone")).toBeUndefined();
    expect((await serverDocument(ws, "never")).status).toBe(404);
    expect((await serverChanges(ws)).map((c) => [c.document_id, c.operation])).toEqual([["gone", "create"], ["gone", "delete"]]);
  });
});
