import { afterEach, describe, expect, it } from "vitest";
import { createDocsyncClient } from "../../src/index.js";
import { eventually } from "../support/tokens.js";
import { fakeServer, json } from "../support/fake-server.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function feedOnlyServer() {
  const server = await fakeServer((req, res) => json(res, 200, { items: [], next_cursor: "c" }));
  cleanups.push(() => server.close());
  return server;
}

describe("startAutoSync()", () => {
  it("syncs at once, periodically, and stops with stopAutoSync()", async () => {
    const server = await feedOnlyServer();
    const client = createDocsyncClient({
      baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `auto-${Math.random()}`,
      isOnline: () => true, autoSyncIntervalMs: 30,
    });
    cleanups.push(() => client.close());

    client.startAutoSync();
    await eventually(async () => server.requests.length >= 3, 5_000, "a sync at start and two periodic ones");

    client.stopAutoSync();
    await eventually(async () => !client.syncing, 5_000, "the last sync to end");
    const seen = server.requests.length;
    // Stopped: give it several periods to prove nothing more is sent.
    const quietUntil = Date.now() + 200;
    await eventually(async () => Date.now() > quietUntil, 1_000);
    expect(server.requests.length).toBe(seen);
  });

  it("syncs when the browser fires online", async () => {
    const server = await feedOnlyServer();
    const target = new EventTarget();
    const g = globalThis as { addEventListener?: unknown; removeEventListener?: unknown };
    g.addEventListener = target.addEventListener.bind(target);
    g.removeEventListener = target.removeEventListener.bind(target);
    cleanups.push(() => {
      delete g.addEventListener;
      delete g.removeEventListener;
    });
    const client = createDocsyncClient({
      baseUrl: server.url, token: "t", workspaceId: "ws_t", databaseName: `online-${Math.random()}`,
      isOnline: () => true, autoSyncIntervalMs: 60_000,
    });
    cleanups.push(() => client.close());
    const synced: number[] = [];
    client.on("synced", () => synced.push(Date.now()));

    client.startAutoSync();
    await eventually(async () => synced.length === 1, 5_000, "the first sync");
    target.dispatchEvent(new Event("online"));

    await eventually(async () => synced.length === 2, 5_000, "a sync on online");
  });
});
