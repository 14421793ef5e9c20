import { type BrowserContext, type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { freshWorkspace } from "../../typescript/test/support/tokens.js";
import { baseUrl, chromiumForFile, loginWithToken, openDemo, token } from "./chromium.js";

// Issue 20 in a real browser: two pages of one context share one IndexedDB database; one syncs at a time
// (Web Lock), the other learns of changes through a BroadcastChannel. Storage is persisted and reported.

const chromium = chromiumForFile();
let context: BrowserContext;

interface Posted { operations: { document_id: string }[] }

async function openTab(ws: string, posted: Posted[]): Promise<Page> {
  const page = await openDemo(context, (p) => p.on("request", (request) => {
    if (request.method() === "POST" && request.url().endsWith("/api/v1/documents/batch")) posted.push(JSON.parse(request.postData() ?? "{}") as Posted);
  }));
  await loginWithToken(page, "alice", ws);
  return page;
}

const marks = (page: Page) => page.locator("[data-testid=mark]").allTextContents();

describe("two tabs of one user in headless Chromium", () => {
  it("share the database: edits in one appear in the other, and syncing both at once sends each operation once", async () => {
    context = await chromium.newContext();
    const ws = freshWorkspace("ws_tabs");
    const posted: Posted[] = [];
    const tabA = await openTab(ws, posted);
    const tabB = await openTab(ws, posted);
    for (const tab of [tabA, tabB]) await tab.getByTestId("offline-switch").check();

    await tabA.evaluate(async () => {
      const client = (window as unknown as { docsync: import("@docsync/client").DocsyncClient }).docsync;
      for (let i = 0; i < 20; i++) await client.documents.create({ document_id: `tab-${i}`, title: `tab ${i}` });
    });
    // Tab B learns of A's edits through the BroadcastChannel, without a reload.
    await expect.poll(async () => (await marks(tabB)).filter((m) => m === "pending").length).toBe(20);

    // Every sync of either tab, automatic or asked for, reports here.
    for (const tab of [tabA, tabB]) {
      await tab.evaluate(() => {
        const w = window as unknown as { docsync: import("@docsync/client").DocsyncClient; reports: unknown[] };
        w.reports = [];
        w.docsync.on("synced", (r) => w.reports.push({ total: r.total, successful: r.successful, failed: r.failed, errors: r.errors.length }));
      });
    }
    // Back online in both (each starts auto-sync), and both ask for a sync at once.
    await Promise.all([tabA, tabB].map((tab) => tab.getByTestId("offline-switch").uncheck()));
    await Promise.all([tabA, tabB].map((tab) => tab.evaluate(() => (window as unknown as { docsync: import("@docsync/client").DocsyncClient }).docsync.sync())));
    for (const tab of [tabA, tabB]) await expect.poll(async () => marks(tab), { timeout: 30_000 }).toEqual(Array(20).fill("synced"));

    type Report = { total: number; successful: number; failed: number; errors: number };
    const reports = await Promise.all([tabA, tabB].map((tab) => tab.evaluate(() => (window as unknown as { reports: Report[] }).reports)));
    const all = reports.flat();
    const sent = posted.flatMap((p) => p.operations.map((o) => o.document_id));
    console.log(`TWO-TABS-CHROMIUM tab A syncs ${JSON.stringify(reports[0])}, tab B syncs ${JSON.stringify(reports[1])}; operations sent ${sent.length} in ${posted.length} POSTs`);
    expect(sent).toHaveLength(20);
    expect(new Set(sent).size).toBe(20);
    expect(all.reduce((n, r) => n + r.successful, 0)).toBe(20);
    expect(all.every((r) => r.failed === 0 && r.errors === 0)).toBe(true);
    const changes = await fetch(`${baseUrl()}/api/v1/workspaces/${ws}/changes?limit=1000`, { headers: { Authorization: `Bearer ${token("checker", ws)}` } });
    expect(((await changes.json()) as { items: unknown[] }).items).toHaveLength(20);
  });

  it("asks for persistent storage and reports persisted, usage and quota; the demo charts the recent syncs", async () => {
    context = await chromium.newContext();
    const ws = freshWorkspace("ws_tabs");
    const tab = await openTab(ws, []);
    await tab.getByTestId("sync-button").click();

    const storage = await tab.evaluate(() => (window as unknown as { docsync: import("@docsync/client").DocsyncClient }).docsync.storage());

    expect(typeof storage.persisted).toBe("boolean");
    expect(storage.usage).toEqual(expect.any(Number));
    expect(storage.quota).toBeGreaterThan(0);
    await expect.poll(() => tab.locator("[data-testid=sync-chart] [data-testid=sync-bar]").count()).toBeGreaterThanOrEqual(1);
  });
});
