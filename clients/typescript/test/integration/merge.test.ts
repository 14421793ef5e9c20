import { afterEach, describe, expect, it } from "vitest";
import * as Y from "yjs";
import type { Conflict } from "../../src/types.js";
import { client, closeClients, serverDocument } from "../support/api.js";
import { freshWorkspace } from "../support/tokens.js";

afterEach(closeClients);

const PARAGRAPHS = "Intro by Alice.\n\nMiddle by Bob.\n\nEnd by Carol.\n";

const toB64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const fromB64 = (b64: string) => new Uint8Array(Buffer.from(b64, "base64"));

/** A Y.Doc loaded from a stored state. */
function ydoc(stateB64: string | null | undefined): Y.Doc {
  const doc = new Y.Doc();
  if (stateB64) Y.applyUpdate(doc, fromB64(stateB64));
  return doc;
}

/** Alice creates a document and both Alice and Bob hold it synced at version 1. */
async function sharedDocument(ws: string, fields: { title?: string; content?: string; yjs_state_b64?: string }) {
  const alice = client("alice", ws, { onConflict: "merge" });
  const bob = client("bob", ws, { onConflict: "merge" });
  await alice.documents.create({ document_id: "plan", title: "Plan", ...fields });
  expect(await alice.sync()).toMatchObject({ successful: 1, failed: 0 });
  await bob.sync();
  expect(await bob.documents.get("plan")).toMatchObject({ version: 1, sync_status: "synced" });
  return { alice, bob };
}

describe("on_conflict: merge against the real local stack", () => {
  it("two clients edit different paragraphs offline: both end synced with both edits", async () => {
    const ws = freshWorkspace();
    const { alice, bob } = await sharedDocument(ws, { content: PARAGRAPHS });
    await alice.documents.update("plan", { content: PARAGRAPHS.replace("Intro by Alice.", "Intro by Alice, revised.") });
    await bob.documents.update("plan", { content: PARAGRAPHS.replace("End by Carol.", "End by Carol.\nPS by Bob.") });
    const bobConflicts: Conflict[] = [];
    bob.on("conflict", (c) => bobConflicts.push(c));

    const first = await alice.sync();
    const second = await bob.sync();
    const aliceAgain = await alice.sync();

    const both = "Intro by Alice, revised.\n\nMiddle by Bob.\n\nEnd by Carol.\nPS by Bob.\n";
    expect(first).toMatchObject({ successful: 1, failed: 0, merged: 0 });
    expect(second).toMatchObject({ total: 1, successful: 1, failed: 0, merged: 1, conflicts: [] });
    expect(bobConflicts).toEqual([]);
    expect(await bob.documents.get("plan")).toMatchObject({
      sync_status: "synced", version: 3, content: both, merged: { from_base_version: 1, version: 3 },
    });
    expect(aliceAgain.pulled).toBe(1);
    expect(await alice.documents.get("plan")).toMatchObject({ sync_status: "synced", version: 3, content: both });
    expect(await serverDocument(ws, "plan")).toMatchObject({ version: 3, content: both });
    expect((await bob.stats()).at(-1)).toMatchObject({ merged: 1, conflicts: 0 });

    // The next local edit is no longer "merged".
    await bob.documents.update("plan", { title: "Plan, Bob's" });
    expect((await bob.documents.get("plan"))?.merged).toBeUndefined();
  });

  it("the same line edited differently is a conflict with its hunks; keep mine and keep theirs still work", async () => {
    const ws = freshWorkspace();
    const { alice, bob } = await sharedDocument(ws, { content: PARAGRAPHS });
    await alice.documents.update("plan", { content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Alice's.") });
    await bob.documents.update("plan", { content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Bob's.") });
    await alice.sync();

    const conflicted = await bob.sync();

    expect(conflicted).toMatchObject({ successful: 0, failed: 1, merged: 0 });
    expect(conflicted.conflicts).toHaveLength(1);
    expect(conflicted.conflicts[0]).toMatchObject({
      document_id: "plan",
      mine: { content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Bob's.") },
      theirs: { version: 2, content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Alice's.") },
      merge: { fields: ["content"], hunks: [{ base: ["Middle by Bob."], mine: ["Middle, Bob's."], theirs: ["Middle, Alice's."] }] },
    });
    expect(await bob.documents.get("plan")).toMatchObject({ sync_status: "conflict", conflict: { merge: { fields: ["content"] } } });

    // Keep mine: my content goes on the server's version.
    await bob.resolve("plan", "mine");
    expect(await bob.sync()).toMatchObject({ successful: 1, failed: 0 });
    expect(await serverDocument(ws, "plan")).toMatchObject({ version: 3, content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Bob's.") });

    // Keep theirs: Alice's next colliding edit loses to Bob's newer one, and she takes his.
    await alice.documents.update("plan", { content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Alice's again.") });
    const aliceConflict = await alice.sync();
    expect(aliceConflict.conflicts).toHaveLength(1);
    await alice.resolve("plan", "theirs");
    expect(await alice.documents.get("plan")).toMatchObject({
      sync_status: "synced", version: 3, content: PARAGRAPHS.replace("Middle by Bob.", "Middle, Bob's."),
    });
    expect(await alice.pending()).toEqual([]);
  });

  it("a Yjs document edited on two clients offline ends merged on both and on the server, with no conflict", async () => {
    const ws = freshWorkspace();
    const start = new Y.Doc();
    start.getText("body").insert(0, "Hello world.");
    const { alice, bob } = await sharedDocument(ws, { yjs_state_b64: toB64(Y.encodeStateAsUpdate(start)) });
    const conflicts: Conflict[] = [];
    alice.on("conflict", (c) => conflicts.push(c));
    bob.on("conflict", (c) => conflicts.push(c));

    const aliceDoc = ydoc((await alice.documents.get("plan"))!.yjs_state_b64);
    aliceDoc.getText("body").insert(0, "Alice: ");
    await alice.documents.update("plan", { yjs_state_b64: toB64(Y.encodeStateAsUpdate(aliceDoc)) });
    const bobDoc = ydoc((await bob.documents.get("plan"))!.yjs_state_b64);
    bobDoc.getText("body").insert(bobDoc.getText("body").length, " Bob was here.");
    await bob.documents.update("plan", { yjs_state_b64: toB64(Y.encodeStateAsUpdate(bobDoc)) });

    expect(await alice.sync()).toMatchObject({ successful: 1, failed: 0 });
    const bobReport = await bob.sync();
    await alice.sync();

    expect(bobReport).toMatchObject({ total: 1, successful: 1, merged: 1, failed: 0, conflicts: [] });
    expect(conflicts).toEqual([]);
    const both = "Alice: Hello world. Bob was here.";
    const server = await serverDocument(ws, "plan");
    expect(ydoc(server.yjs_state_b64).getText("body").toString()).toBe(both);
    for (const who of [alice, bob]) {
      const local = await who.documents.get("plan");
      expect(local).toMatchObject({ sync_status: "synced", version: server.version });
      expect(ydoc(local!.yjs_state_b64).getText("body").toString()).toBe(both);
    }
    expect(await bob.pending()).toEqual([]);
    expect((await bob.documents.get("plan"))?.merged).toMatchObject({ algorithm: "yjs", from_base_version: 1, version: 3 });
  });
});
