import { afterEach, describe, expect, it } from "vitest";
import { applyRemoteAll } from "../../src/decisions.js";
import { nextBatch, queueCreate, queueUpdate, settleBatch } from "../../src/queue.js";
import { openStore, type Store } from "../../src/store.js";
import type { BatchRequest, DocumentView } from "../../src/types.js";

// Flow 2 of the demo's e2e test once ended with Beta's title not the one typed offline: typing that went astray in the
// demo's editor (demo/test/editor.test.ts). The device's side of that suspicion, pinned here: a server state arriving
// from the change feed or the stream, before or after the answer to a push, never replaces a copy with newer edits.

const NOW = "2026-12-01T00:00:00.000Z";
let opened: Store[] = [];
afterEach(() => {
  opened.forEach((s) => s.close());
  opened = [];
});

const view = (version: number, title: string): DocumentView => ({
  document_id: "beta", workspace_id: "ws_t", version, title, content: "", yjs_state_b64: null, deleted: false,
  created_at: NOW, updated_at: NOW, updated_by: "alice",
});

/** The next batch, and its answer as the server gives it: each operation applied on its base (a create is version 1). */
async function sendNext(store: Store) {
  const batch = (await nextBatch(store, "ws_t"))!;
  const operations = (JSON.parse(batch.body) as BatchRequest).operations;
  const answer = () => settleBatch(store, batch, operations.map((op) => ({
    client_id: op.client_id, operation: op.operation, status: "success" as const, document_id: op.document_id!,
    version: op.operation === "create" ? 1 : op.base_version! + 1,
  })));
  return { operations, answer };
}

describe("a server state never replaces a local copy with newer edits", () => {
  for (const mergePending of [true, false]) {
    it(`in every phase of a push: before its answer, after it, and after everything is synced (${mergePending ? "merge" : "report"} mode)`, async () => {
      const store = await openStore(`stale-${mergePending}-${Math.random()}`);
      opened.push(store);
      const late = (...states: DocumentView[]) => applyRemoteAll(store, states.map((s) => ["beta", s] as [string, DocumentView]), { mergePending });
      const beta = () => store.get("documents", "beta");
      await queueCreate(store, { document_id: "beta", title: "Beta" }, NOW);
      await (await sendNext(store)).answer();
      expect(await beta()).toMatchObject({ title: "Beta", version: 1, sync_status: "synced" });

      // Offline edit; its push (based on version 1) is in flight when a newer edit is made.
      await queueUpdate(store, "beta", { title: "Beta v2" }, NOW);
      const push = await sendNext(store);
      expect(push.operations).toMatchObject([{ operation: "update", base_version: 1, data: { title: "Beta v2" } }]);
      await queueUpdate(store, "beta", { title: "Beta v3" }, NOW);

      // The stream brings the states of versions 1 and 2 (the one this push makes) before the push's answer.
      expect((await late(view(1, "Beta"))).map((o) => o.outcome)).toEqual(["unchanged"]);
      expect((await late(view(2, "Beta v2"))).map((o) => o.outcome)).toEqual(["unchanged"]);
      expect(await beta()).toMatchObject({ title: "Beta v3", version: 1, sync_status: "pending" });

      // The answer to the earlier push arrives after the newer edit was queued: the version moves, my title stays.
      await push.answer();
      expect(await beta()).toMatchObject({ title: "Beta v3", version: 2, sync_status: "pending" });
      expect((await late(view(2, "Beta v2"), view(1, "Beta"))).map((o) => o.outcome)).toEqual(["unchanged"]);
      expect(await beta()).toMatchObject({ title: "Beta v3", version: 2, sync_status: "pending" });

      // The newer edit travels on version 2 and ends synced; every older state that still comes in changes nothing.
      const next = await sendNext(store);
      expect(next.operations).toMatchObject([{ operation: "update", base_version: 2, data: { title: "Beta v3" } }]);
      await next.answer();
      for (const old of [view(1, "Beta"), view(2, "Beta v2"), view(3, "Beta v3")]) {
        expect((await late(old)).map((o) => o.outcome)).toEqual(["unchanged"]);
      }
      expect(await beta()).toMatchObject({ title: "Beta v3", version: 3, sync_status: "synced" });
    });
  }
});
