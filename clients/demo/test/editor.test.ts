import { type Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { freshWorkspace } from "../../typescript/test/support/tokens.js";
import { chromiumForFile, loginWithToken, openDemo as openDemoIn } from "./chromium.js";

// The editor shows the selected document's fields in the very commit that selects it (or that brings a new
// document into the list). Loaded by an effect instead, they followed one task later: the input still held the
// previous document's title, and text typed into it then (a test's fill() selects the old text, the late render
// replaces it and leaves the caret at the end) was appended to the title: flow 2 saved "BetaBeta v2".

const chromium = chromiumForFile();
const openDemo = async (): Promise<Page> => openDemoIn(await chromium.newContext({ viewport: { width: 1100, height: 700 } }));

/** Offline (nothing changes the documents behind the test's back), with Alpha and Beta made through the client. */
async function withTwoDocuments(): Promise<Page> {
  const page = await openDemo();
  await loginWithToken(page, "alice", freshWorkspace("ws_editor"));
  await page.getByTestId("offline-switch").check();
  await page.evaluate(async () => {
    const client = (window as unknown as { docsync: import("@docsync/client").DocsyncClient }).docsync;
    await client.documents.create({ title: "Alpha", content: "alpha's text" });
    await client.documents.create({ title: "Beta", content: "beta's text" });
  });
  await expect.poll(() => page.locator("[data-title=Alpha], [data-title=Beta]").count()).toBe(2);
  return page;
}

describe("the demo's editor in headless Chromium against the real local stack", () => {
  it("selecting another document shows its title and content in the same commit, before any later task", async () => {
    const page = await withTwoDocuments();
    await page.locator("[data-title=Alpha]").click();
    await expect.poll(() => page.getByTestId("title-input").inputValue()).toBe("Alpha");

    const shown = await page.evaluate(async () => {
      document.querySelector<HTMLElement>("[data-title=Beta]")!.click();
      // React renders a click's update in a microtask; anything it leaves for a later task is not done yet here.
      for (let i = 0; i < 50; i++) await Promise.resolve();
      return {
        title: document.querySelector<HTMLInputElement>("[data-testid=title-input]")?.value,
        content: document.querySelector<HTMLTextAreaElement>("[data-testid=content-input]")?.value,
      };
    });

    expect(shown).toEqual({ title: "Beta", content: "beta's text" });
  });

  it("a new document appears in the list and in the editor in the same commit, never with the previous one's title", async () => {
    const page = await withTwoDocuments();
    await page.locator("[data-title=Beta]").click();
    await expect.poll(() => page.getByTestId("title-input").inputValue()).toBe("Beta");

    const whenListed = await page.evaluate(() => new Promise<string | null>((done) => {
      const list = document.querySelector("[data-testid=document-list]")!;
      const before = list.children.length;
      // A MutationObserver runs right after the commit that adds the item, before any later task.
      const observer = new MutationObserver(() => {
        if (list.children.length === before) return;
        observer.disconnect();
        done(document.querySelector<HTMLInputElement>("[data-testid=title-input]")?.value ?? null);
      });
      observer.observe(list, { childList: true });
      document.querySelector<HTMLElement>("[data-testid=new-document]")!.click();
    }));

    expect(whenListed).toBe("Untitled");
  });
});
