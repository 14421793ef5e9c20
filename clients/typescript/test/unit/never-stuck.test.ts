import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient, type DocsyncClient, type DocsyncClientOptions } from "../../src/index.js";
import type { BatchRequest, OperationResult } from "../../src/types.js";
import { fakeServer, json, type Handler } from "../support/fake-server.js";
import { eventually } from "../support/tokens.js";

// Issue 20, "nothing stuck": every request has a timeout, sync() always ends, a hung or garbled answer is a
// retriable failure, a 401 refreshes the token once, and automatic syncs back off (with jitter) between failures.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(handler: Handler, overrides: Partial<DocsyncClientOptions> = {}) {
  const server = await fakeServer(handler);
  const client = createDocsyncClient({
    baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `stuck-${Math.random()}`,
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 50 }, isOnline: () => true, requestTimeoutMs: 400,
    ...overrides,
  });
  cleanups.push(() => server.close());
  cleanups.push(() => client.close());
  return { client, server, requests: server.requests };
}

function completed(body: string): unknown {
  const results: OperationResult[] = (JSON.parse(body) as BatchRequest).operations.map((op) => ({
    client_id: op.client_id, operation: op.operation, status: "success", document_id: op.document_id!,
    version: op.operation === "create" ? 1 : (op.base_version ?? 0) + 1,
  }));
  return { batch_id: "b", workspace_id: "ws_t", status: "completed", atomic: false, results };
}

const feed: Handler = (req, res) => json(res, 200, { items: [], next_cursor: "c0" });
const posts = <T extends { method: string }>(requests: T[]) => requests.filter((r) => r.method === "POST");

describe("nothing stuck", () => {
  it("a POST that is never answered times out and is retried; sync() ends and the edit is synced", { timeout: 8_000 }, async () => {
    let answered = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      if (answered++ === 0) return; // hangs: accepted, never answered
      json(res, 200, completed(req.body));
    });
    await client.documents.create({ document_id: "d1", title: "One" });

    const report = await client.sync();

    expect(report).toMatchObject({ total: 1, successful: 1, failed: 0 });
    expect(posts(requests)).toHaveLength(2);
    expect(new Set(posts(requests).map((p) => p.headers["idempotency-key"])).size).toBe(1);
    expect(client.syncing).toBe(false);
  });

  it("a garbled 200 (a captive portal's HTML) is a retriable failure; sync() ends, `synced` fires and syncing is false", { timeout: 8_000 }, async () => {
    let answered = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.method === "GET") return feed(req, res);
      if (answered++ === 0) {
        res.writeHead(200, { "Content-Type": "text/html" });
        return res.end("<html><body>Log in to the hotel wifi</body></html>");
      }
      json(res, 200, completed(req.body));
    });
    await client.documents.create({ document_id: "d1" });
    const synced: unknown[] = [];
    client.on("synced", (r) => synced.push(r));

    const report = await client.sync();

    expect(report).toMatchObject({ successful: 1 });
    expect(posts(requests)).toHaveLength(2);
    expect(synced).toHaveLength(1);
    expect(client.syncing).toBe(false);
  });

  it("garbage on every attempt: sync() still ends with a failure, keeps the queue and fires `synced`", { timeout: 8_000 }, async () => {
    const { client } = await setup((req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end("{\"batch_id\": ");
    });
    await client.documents.create({ document_id: "d1" });
    const synced: unknown[] = [];
    client.on("synced", (r) => synced.push(r));

    const report = await client.sync();

    expect(report.failure?.code).toBe("unreachable");
    expect(synced).toHaveLength(1);
    expect(client.syncing).toBe(false);
    expect(await client.pending()).toHaveLength(1);
  });

  it("a 401 asks the token function once more (a refresh) and retries once with the new token", async () => {
    const asked: boolean[] = [];
    let current = "expired";
    const { client, requests } = await setup((req, res) => {
      if (req.headers.authorization !== "Bearer fresh") return json(res, 401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "expired" });
      if (req.method === "GET") return feed(req, res);
      json(res, 200, completed(req.body));
    }, {
      token: (request?: { refresh: boolean }) => {
        asked.push(request?.refresh ?? false);
        if (request?.refresh) current = "fresh";
        return current;
      },
    });
    await client.documents.create({ document_id: "d1" });

    const report = await client.sync();

    expect(report).toMatchObject({ successful: 1 });
    expect(report.failure).toBeUndefined();
    expect(posts(requests).map((p) => p.headers.authorization)).toEqual(["Bearer expired", "Bearer fresh"]);
    expect(asked.filter((refresh) => refresh)).toHaveLength(1);
  });

  it("a second 401 reports `auth`, keeps the queue, and sends nothing more", async () => {
    const { client, requests } = await setup((req, res) =>
      json(res, 401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "expired" }), { token: () => "expired" });
    await client.documents.create({ document_id: "d1" });

    const report = await client.sync();

    expect(report.failure?.code).toBe("auth");
    expect(posts(requests)).toHaveLength(2);
    expect(requests).toHaveLength(2);
    expect(await client.pending()).toHaveLength(1);
    expect((await client.documents.get("d1"))?.sync_status).toBe("pending");
  });

  it("automatic syncs back off between failures, with jitter, instead of hammering at a fixed period", async () => {
    const { client, requests } = await setup((req, res) =>
      json(res, 503, { type: "about:blank", title: "Unavailable", status: 503, detail: "down" }, { "Retry-After": "0" }), {
      retry: { attempts: 1 }, autoSyncIntervalMs: 40, syncBackoff: { baseDelayMs: 40, maxDelayMs: 5_000 },
    });
    await client.documents.create({ document_id: "d1" });
    const started: number[] = [];
    const ended: number[] = [];
    client.on("progress", (p) => {
      if (p.sent === 0) started.push(Date.now());
    });
    client.on("synced", () => ended.push(Date.now()));

    client.startAutoSync();
    await eventually(async () => started.length >= 5, 10_000, "five automatic syncs");
    client.stopAutoSync();

    // The pause after each failed sync: exponential from 40 ms (each within the upper half of its ceiling: jitter).
    const pauses = started.slice(1).map((t, i) => t - ended[i]!);
    expect(requests.length).toBeGreaterThanOrEqual(5);
    expect(pauses[0]!).toBeGreaterThanOrEqual(18);
    expect(pauses[3]!).toBeGreaterThanOrEqual(155); // 4th failure: at least half of 320 ms (a fixed period: ~40)
  });

  it("the token function is not polled while syncing works; after an `auth` failure a new token triggers a sync", async () => {
    let current = "expired";
    let calls = 0;
    const { client, requests } = await setup((req, res) => {
      if (req.headers.authorization !== "Bearer good") return json(res, 401, { type: "about:blank", title: "Unauthorized", status: 401, detail: "no" });
      feed(req, res);
    }, {
      token: () => {
        calls++;
        return current;
      },
      tokenCheckIntervalMs: 20, autoSyncIntervalMs: 60_000,
      live: false, // this is about the periodic sync; the live subscription's requests are tested in live.test.ts
    });
    const reports: { failure?: { code: string } }[] = [];
    client.on("synced", (r) => reports.push(r));

    client.startAutoSync();
    await eventually(async () => reports.length === 1, 5_000, "the first sync");
    expect(reports[0]?.failure?.code).toBe("auth");
    current = "good"; // a login
    await eventually(async () => reports.length === 2, 5_000, "a sync on the new token");
    expect(reports[1]?.failure).toBeUndefined();

    // Healthy now: over 15 would-be polling periods the token function is read only for requests.
    const callsBefore = calls;
    const requestsBefore = requests.length;
    const quietUntil = Date.now() + 300;
    await eventually(async () => Date.now() > quietUntil, 1_000);
    expect(calls - callsBefore).toBe(requests.length - requestsBefore);
    expect(calls - callsBefore).toBeLessThanOrEqual(1);
  });
});
