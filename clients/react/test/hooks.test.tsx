import { act } from "react";
import { create, type ReactTestRenderer } from "react-test-renderer";
import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient, type LocalDocument } from "../../typescript/src/index.js";
import { DocsyncProvider, useDocuments, useSyncStatus } from "../src/index.js";

// Issue 20, item 7: useDocuments() re-reads only what changed (it used to re-read every document 2–4 times per change).

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real client (fake-indexeddb, no server) whose reads are counted. */
function countingClient(): { client: DocsyncClient; reads: { list: number; get: string[] } } {
  const client = createDocsyncClient({ baseUrl: "http://127.0.0.1:9", token: "t", workspaceId: "ws_t", databaseName: `hooks-${Math.random()}`, isOnline: () => false });
  cleanups.push(() => client.close());
  const reads = { list: 0, get: [] as string[] };
  const { list, get } = client.documents;
  client.documents.list = () => (reads.list++, list());
  client.documents.get = (id) => (reads.get.push(id), get(id));
  return { client, reads };
}

async function settle(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("the hook did not settle");
    await act(async () => {
      await new Promise((r) => setTimeout(r, 5));
    });
  }
}

describe("useDocuments()", () => {
  it("reads the list once, then only the documents a change names", async () => {
    const { client, reads } = countingClient();
    await client.documents.create({ document_id: "a", title: "A" });
    await client.documents.create({ document_id: "b", title: "B" });
    let seen: LocalDocument[] = [];
    let conflicts = -1;
    function Probe() {
      seen = useDocuments().data;
      conflicts = useSyncStatus().conflicts.length;
      return null;
    }
    let renderer!: ReactTestRenderer;
    await act(async () => {
      renderer = create(<DocsyncProvider client={client} autoSync={false}><Probe /></DocsyncProvider>);
    });
    cleanups.push(() => act(() => renderer.unmount()));
    await settle(() => seen.length === 2);
    expect(reads.list).toBe(1);
    expect(conflicts).toBe(0);

    await act(async () => {
      await client.documents.update("a", { title: "A, edited" });
    });
    await settle(() => seen.some((d) => d.title === "A, edited"));
    await act(async () => {
      await client.documents.create({ document_id: "c", title: "C" });
    });
    await settle(() => seen.length === 3);

    expect(reads.list).toBe(1);
    expect(reads.get).toEqual(["a", "c"]);
    expect(seen.map((d) => d.document_id).sort()).toEqual(["a", "b", "c"]);

    await act(async () => {
      await client.documents.delete("c"); // never synced: it disappears locally
    });
    await settle(() => seen.length === 2);
    expect(reads.list).toBe(1);
  });
});
