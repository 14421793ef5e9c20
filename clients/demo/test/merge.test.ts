import { type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { freshWorkspace } from "../../typescript/test/support/tokens.js";
import { chromiumForFile, loginWithToken, openDemo, serverDocument, shots } from "./chromium.js";

const chromium = chromiumForFile();

async function openAs(user: string, ws: string): Promise<Page> {
  const page = await openDemo(await chromium.newContext({ viewport: { width: 1100, height: 900 } }));
  await loginWithToken(page, user, ws);
  return page;
}

async function editContent(page: Page, id: string, change: (content: string) => string): Promise<void> {
  await page.getByTestId(`doc-${id}`).click();
  const input = page.getByTestId("content-input");
  await input.fill(change(await input.inputValue()));
  await page.getByTestId("save-button").click();
}

const PARAGRAPHS = "Intro by Alice.\n\nMiddle by Bob.\n\nEnd by Carol.\n";
const markOf = (page: Page, id: string) => page.locator(`[data-testid=doc-${id}] [data-testid=mark]`).textContent();

describe("the demo's merges in headless Chromium against the real local stack", () => {
  it("a colliding hunk is highlighted in the diff, the merged text resolves it, and a clean merge shows a merged badge", async () => {
    const ws = freshWorkspace("ws_merge");
    const alice = await openAs("alice", ws);
    const id = await alice.evaluate(async (content) => {
      const client = (window as unknown as { docsync: import("@docsync/client").DocsyncClient }).docsync;
      return (await client.documents.create({ title: "Plan", content })).document_id;
    }, PARAGRAPHS);
    await expect.poll(async () => (await serverDocument(ws, id)).version).toBe(1);
    const bob = await openAs("bob", ws);
    await expect.poll(() => markOf(bob, id)).toBe("synced");

    // Bob, offline, edits the middle and the end; Alice the intro and the middle.
    await bob.getByTestId("offline-switch").check();
    await editContent(bob, id, (c) => c.replace("Middle by Bob.", "Middle, Bob's.").replace("End by Carol.", "End by Carol, with Bob."));
    await editContent(alice, id, (c) => c.replace("Intro by Alice.", "Intro, Alice's.").replace("Middle by Bob.", "Middle, Alice's."));
    await expect.poll(async () => (await serverDocument(ws, id)).version).toBe(2);
    await bob.getByTestId("offline-switch").uncheck();

    await expect.poll(() => markOf(bob, id)).toBe("conflict");
    await expect.poll(() => bob.getByTestId("collide-line").allTextContents()).toEqual(["−Middle, Bob's.", "+Middle, Alice's."]);
    expect(await bob.getByTestId("conflict-fields").textContent()).toBe("Both changed: content");
    await bob.screenshot({ path: `${shots}merge-conflict-diff.png`, fullPage: true });

    await bob.getByTestId("edit-merged").click();
    const merged = bob.getByTestId("merged-input");
    await expect.poll(() => merged.inputValue()).toBe(
      "Intro, Alice's.\n\n<<<<<<< mine\nMiddle, Bob's.\n=======\nMiddle, Alice's.\n>>>>>>> theirs\n\nEnd by Carol, with Bob.\n");
    await bob.screenshot({ path: `${shots}merge-edit-merged.png`, fullPage: true });
    await merged.fill("Intro, Alice's.\n\nMiddle, by both.\n\nEnd by Carol, with Bob.\n");
    await bob.getByTestId("save-merged").click();

    await expect.poll(() => markOf(bob, id), { timeout: 30_000 }).toBe("synced");
    expect(await serverDocument(ws, id)).toMatchObject({ version: 3, content: "Intro, Alice's.\n\nMiddle, by both.\n\nEnd by Carol, with Bob.\n" });

    // Now edits of different paragraphs: Bob's stale edit merges on the server, and his list says so.
    await expect.poll(async () => alice.getByTestId("content-input").inputValue()).toContain("Middle, by both.");
    await bob.getByTestId("offline-switch").check();
    await editContent(bob, id, (c) => c.replace("End by Carol, with Bob.", "End by Carol, with Bob, signed."));
    await editContent(alice, id, (c) => c.replace("Intro, Alice's.", "Intro, Alice's, final."));
    await expect.poll(async () => (await serverDocument(ws, id)).version).toBe(4);
    await bob.getByTestId("offline-switch").uncheck();

    await expect.poll(() => bob.locator(`[data-testid=doc-${id}] [data-testid=merged-badge]`).count(), { timeout: 30_000 }).toBe(1);
    expect(await markOf(bob, id)).toBe("synced");
    const both = "Intro, Alice's, final.\n\nMiddle, by both.\n\nEnd by Carol, with Bob, signed.\n";
    await expect.poll(() => bob.getByTestId("content-input").inputValue()).toBe(both);
    expect(await serverDocument(ws, id)).toMatchObject({ version: 5, content: both });
    await bob.screenshot({ path: `${shots}merge-merged-badge.png`, fullPage: true });
  });
});
