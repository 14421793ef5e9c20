import { type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { freshWorkspace } from "../../typescript/test/support/tokens.js";
import { chromiumForFile, loginWithToken, openDemo, shots } from "./chromium.js";

// Issue 21 in a real browser: two users, each in a browser context of their own (two devices), see each other's
// edits live: the edit is pushed by auto-sync and arrives at the other page through its event stream. Nobody
// presses Sync. Screenshots in clients/demo/test-results/.

const chromium = chromiumForFile();

async function openAs(user: string, ws: string, requests: string[]): Promise<Page> {
  const context = await chromium.newContext({ viewport: { width: 1000, height: 600 } });
  const page = await openDemo(context, (p) => p.on("request", (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`)));
  await loginWithToken(page, user, ws);
  return page;
}

const titleAt = (page: Page, id: string) => page.getByTestId(`doc-${id}`).getAttribute("data-title").catch(() => null);

describe("two users in two Chromium contexts", () => {
  it("an edit in one window appears in the other without pressing Sync", async () => {
    const ws = freshWorkspace("ws_live");
    const aliceRequests: string[] = [];
    const bobRequests: string[] = [];
    const alice = await openAs("alice", ws, aliceRequests);
    const bob = await openAs("bob", ws, bobRequests);
    // Bob's page holds the stream once its first sync (a new database: the snapshot) is done.
    await expect.poll(() => bobRequests.some((r) => r.endsWith("/changes/stream")), { timeout: 20_000 }).toBe(true);

    await alice.getByTestId("new-document").click();
    await expect.poll(() => alice.locator("[data-testid^=doc-]").count()).toBe(1);
    const id = ((await alice.locator("[data-testid^=doc-]").first().getAttribute("data-testid")) ?? "").replace(/^doc-/, "");
    await expect.poll(() => alice.getByTestId("title-input").inputValue()).toBe("Untitled"); // the editor shows it
    await alice.getByTestId("title-input").fill("Written by Alice");
    await alice.getByTestId("content-input").fill("Bob sees this without pressing Sync.");
    await expect.poll(() => alice.getByTestId("title-input").inputValue()).toBe("Written by Alice");
    await alice.getByTestId("save-button").click();
    const saved = Date.now();
    await alice.screenshot({ path: `${shots}live-1-alice-edits.png` });

    await expect.poll(() => titleAt(bob, id), { timeout: 15_000 }).toBe("Written by Alice");
    console.log(`LIVE-CHROMIUM alice's save → bob's page shows it: ${Date.now() - saved} ms`);
    await bob.getByTestId(`doc-${id}`).click();
    await expect.poll(() => bob.getByTestId("content-input").inputValue()).toBe("Bob sees this without pressing Sync.");
    await bob.screenshot({ path: `${shots}live-2-bob-sees-it.png` });

    // And back: bob's edit reaches alice's page the same way.
    await bob.getByTestId("title-input").fill("Answered by Bob");
    await expect.poll(() => bob.getByTestId("title-input").inputValue()).toBe("Answered by Bob");
    await bob.getByTestId("save-button").click();
    await expect.poll(() => titleAt(alice, id), { timeout: 15_000 }).toBe("Answered by Bob");
    await alice.screenshot({ path: `${shots}live-3-alice-sees-bob.png` });

    // Nobody pressed Sync, and no page read a document by itself.
    for (const requests of [aliceRequests, bobRequests]) {
      expect(requests.filter((r) => /\/documents\/[^/]+$/.test(r) && r.startsWith("GET"))).toEqual([]);
    }
  });
});
