import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { launchChromium } from "./chromium.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freshWorkspace, mintToken } from "../../typescript/test/support/tokens.js";

// Issue 21 in a real browser: two users, each in a browser context of their own (two devices), see each other's
// edits live: the edit is pushed by auto-sync and arrives at the other page through its event stream. Nobody
// presses Sync. Screenshots in clients/demo/test-results/.

const baseUrl = () => inject("baseUrl");
const token = (user: string, ws: string) => mintToken(inject("jwtSecret"), user, { [ws]: "editor" });
const shots = new URL("../test-results/", import.meta.url).pathname;

let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
});

async function openAs(user: string, ws: string, requests: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 600 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("request", (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
  await page.goto(`${baseUrl()}/demo/`);
  await page.getByTestId("token-input").fill(token(user, ws));
  await page.getByTestId("workspace-input").fill(ws);
  await page.getByTestId("token-login").click();
  await expect.poll(() => page.getByTestId("who").textContent()).toBe(`${user} @ ${ws}`);
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
    await alice.getByTestId("title-input").fill("Written by Alice");
    await alice.getByTestId("content-input").fill("Bob sees this without pressing Sync.");
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
    await bob.getByTestId("save-button").click();
    await expect.poll(() => titleAt(alice, id), { timeout: 15_000 }).toBe("Answered by Bob");
    await alice.screenshot({ path: `${shots}live-3-alice-sees-bob.png` });

    // Nobody pressed Sync, and no page read a document by itself.
    for (const requests of [aliceRequests, bobRequests]) {
      expect(requests.filter((r) => /\/documents\/[^/]+$/.test(r) && r.startsWith("GET"))).toEqual([]);
    }
  });
});
