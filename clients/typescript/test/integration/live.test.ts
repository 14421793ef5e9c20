import { afterEach, describe, expect, it } from "vitest";
import type { ChangeEvent } from "../../src/index.js";
import { inject } from "vitest";
import { baseUrl, client, closeClients, token } from "../support/api.js";
import { eventually, freshWorkspace, mintToken } from "../support/tokens.js";

afterEach(closeClients);

/** A fetch that records every request's method and path (with query), and may answer some itself. */
function countingFetch(answer?: (url: URL) => Response | undefined): { fetch: typeof fetch; requests: string[] } {
  const requests: string[] = [];
  return {
    requests,
    fetch: async (input, init) => {
      const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
      requests.push(`${init?.method ?? "GET"} ${url.pathname}${url.search}`);
      return answer?.(url) ?? globalThis.fetch(input, init);
    },
  };
}

/** Creates `count` documents of ~1 KB in `ws` straight through the batch API (100 per batch). */
async function seed(ws: string, count: number): Promise<void> {
  const body = "x".repeat(1000);
  for (let first = 0; first < count; first += 100) {
    const operations = [];
    for (let i = first; i < Math.min(count, first + 100); i++) {
      operations.push({ client_id: `op_${i}`, operation: "create", document_id: `doc-${String(i).padStart(5, "0")}`, data: { title: `Doc ${i}`, content: body } });
    }
    const response = await fetch(`${baseUrl()}/api/v1/documents/batch`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token("seeder", ws)}`, "Content-Type": "application/json", Prefer: "wait=10" },
      body: JSON.stringify({ workspace_id: ws, atomic: false, operations }),
    });
    expect(response.status).toBe(200);
  }
}

describe("bootstrap and live", () => {
  it("a new database fills a 300-document workspace from the snapshot in a handful of requests, no GET per document", async () => {
    const ws = freshWorkspace();
    await seed(ws, 300);
    const counted = countingFetch();
    const bob = client("bob", ws, { fetch: counted.fetch });

    const started = performance.now();
    const report = await bob.sync();
    const ms = performance.now() - started;

    expect(report.failure).toBeUndefined();
    const docs = await bob.documents.list();
    expect(docs).toHaveLength(300);
    expect(docs.every((d) => d.sync_status === "synced" && d.version === 1 && d.content.length === 1000)).toBe(true);
    expect(counted.requests.filter((r) => /\/documents\//.test(r))).toEqual([]);
    expect(counted.requests.length).toBeLessThanOrEqual(4);
    console.log(`bootstrap of 300 documents: ${counted.requests.length} requests in ${ms.toFixed(0)} ms: ${counted.requests.join(", ")}`);

    // Later pulls follow the feed with states: an edit elsewhere costs one page, not a GET per document.
    const alice = client("alice", ws);
    await alice.sync();
    for (let i = 0; i < 20; i++) await alice.documents.update(`doc-${String(i).padStart(5, "0")}`, { title: `edited ${i}` });
    await alice.sync();
    counted.requests.length = 0;
    const next = await bob.sync();
    expect(next.pulled).toBe(20);
    expect(counted.requests.filter((r) => /\/documents\//.test(r))).toEqual([]);
    expect(counted.requests.length).toBeLessThanOrEqual(2);
    expect(await bob.documents.get("doc-00007")).toMatchObject({ title: "edited 7", version: 2, sync_status: "synced" });
  });

  it("client B sees A's edit through the event stream, without calling sync()", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "shared", title: "Draft" });
    await alice.sync();
    const counted = countingFetch();
    const bob = client("bob", ws, { fetch: counted.fetch, autoSyncIntervalMs: 600_000 });
    const events: ChangeEvent[] = [];
    bob.on("change", (e) => events.push(e));
    bob.startAutoSync();
    await eventually(async () => (await bob.documents.get("shared"))?.title === "Draft", 20_000, "bob's first sync");
    await eventually(async () => counted.requests.some((r) => r.includes("/changes/stream")), 10_000, "bob's stream");
    const syncsBefore = (await bob.stats()).length;

    await alice.documents.update("shared", { title: "Live title", content: "typed by alice" });
    const written = performance.now();
    await alice.sync();

    const seen = await eventually(async () => {
      const doc = await bob.documents.get("shared");
      return doc?.title === "Live title" ? doc : undefined;
    }, 10_000, "alice's edit at bob");
    console.log(`live: alice's edit at bob ${(performance.now() - written).toFixed(0)} ms after alice's sync began`);
    expect(seen).toMatchObject({ version: 2, content: "typed by alice", sync_status: "synced" });
    expect(events.some((e) => e.ids?.includes("shared"))).toBe(true);
    expect((await bob.stats()).length).toBe(syncsBefore); // no sync ran: the stream brought it
    expect(counted.requests.filter((r) => /\/documents\//.test(r))).toEqual([]);
  });

  it("where the stream is unavailable, the live subscription falls back to the long-poll", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "shared", title: "Draft" });
    await alice.sync();
    const counted = countingFetch((url) => url.pathname.endsWith("/changes/stream")
      ? new Response(JSON.stringify({ title: "Not Found", status: 404 }), { status: 404, headers: { "Content-Type": "application/problem+json" } })
      : undefined);
    const bob = client("bob", ws, { fetch: counted.fetch, autoSyncIntervalMs: 600_000, live: { waitSeconds: 20 } });
    bob.startAutoSync();
    await eventually(async () => (await bob.documents.get("shared"))?.title === "Draft", 20_000, "bob's first sync");
    await eventually(async () => counted.requests.some((r) => /\/changes\?.*wait=20/.test(r)), 10_000, "bob's long-poll");
    const syncsBefore = (await bob.stats()).length;

    await alice.documents.update("shared", { title: "Polled title" });
    await alice.sync();

    await eventually(async () => (await bob.documents.get("shared"))?.title === "Polled title", 10_000, "alice's edit at bob");
    expect((await bob.stats()).length).toBe(syncsBefore);
    expect(counted.requests.filter((r) => r.includes("/changes/stream"))).toHaveLength(1); // tried once, then polled
  });

  it("a live change never overwrites a pending local edit: it becomes a conflict", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "shared", title: "Draft" });
    await alice.sync();
    const bob = client("bob", ws, { autoSyncIntervalMs: 600_000, pushDelayMs: false });
    await bob.sync();
    await bob.documents.update("shared", { title: "Bob's offline title" });
    const conflicts: string[] = [];
    bob.on("conflict", (c) => conflicts.push(c.document_id));
    bob.startAutoSync(); // its first sync pushes bob's offline edit
    await eventually(async () => (await bob.documents.get("shared"))?.sync_status === "synced", 20_000, "bob's push");
    await alice.sync(); // alice learns bob's version 2
    await alice.documents.update("shared", { title: "Alice's title" });
    await bob.documents.update("shared", { content: "bob types on" }); // pending at bob when alice's edit arrives
    await alice.sync();
    // Bob's edit waits for his next periodic sync (10 minutes away): alice's arrives through the stream first.
    await eventually(async () => {
      const doc = await bob.documents.get("shared");
      return doc?.sync_status === "conflict" ? doc : undefined;
    }, 10_000, "the conflict at bob");
    expect(await bob.documents.get("shared")).toMatchObject({ content: "bob types on", sync_status: "conflict" });
    expect(conflicts).toContain("shared");
  });

  it("a stream closed at its token's exp reopens with a fresh token and resumes from its cursor: nothing is missed", async () => {
    const ws = freshWorkspace();
    const alice = client("alice", ws);
    await alice.documents.create({ document_id: "shared", title: "v1" });
    await alice.sync();
    const counted = countingFetch();
    const tokens: string[] = [];
    const bob = client("bob", ws, {
      fetch: counted.fetch, autoSyncIntervalMs: 600_000,
      token: () => {
        const fresh = mintToken(inject("jwtSecret"), "bob", { [ws]: "editor" }, 3); // lives 3 s
        tokens.push(fresh);
        return fresh;
      },
    });
    bob.startAutoSync();
    await eventually(async () => (await bob.documents.get("shared"))?.title === "v1", 20_000, "bob's first sync");
    const streams = () => counted.requests.filter((r) => r.includes("/changes/stream")).length;
    await eventually(async () => streams() >= 1, 10_000, "bob's first stream");

    // Edits while the first stream lives, and around its end: each arrives, none is lost in the reconnect.
    for (let i = 2; i <= 4; i++) {
      await alice.documents.update("shared", { title: `v${i}` });
      await alice.sync();
      await eventually(async () => (await bob.documents.get("shared"))?.title === `v${i}`, 15_000, `v${i} at bob`);
      if (i === 2) await eventually(async () => streams() >= 2, 15_000, "a second stream after the first token's exp");
    }
    expect(streams()).toBeGreaterThanOrEqual(2);
    expect(new Set(tokens).size).toBeGreaterThanOrEqual(2);
    expect(counted.requests.filter((r) => /\/documents\//.test(r))).toEqual([]);
    // The second stream resumed from a cursor, not from the start of the feed.
    expect(counted.requests.filter((r) => r.includes("/changes/stream")).every((r) => /since=/.test(r))).toBe(true);
  });
});
