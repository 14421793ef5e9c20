import { mkdirSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { mintToken } from "../../typescript/test/support/tokens.js";

/** Where the browser tests put their screenshots (clients/demo/test-results/). */
export const shots = new URL("../test-results/", import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

export const baseUrl = () => inject("baseUrl");
export const token = (user: string, ws: string) => mintToken(inject("jwtSecret"), user, { [ws]: "editor" });

/**
 * Debian's Chromium, headless (browser downloads fail on these machines); without the background-networking flags it
 * keeps trying hosts that the closed network refuses.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
}

/** One Chromium for a test file: launched before its tests; it and every context it opened closed after them. */
export function chromiumForFile(): { newContext(options?: BrowserContextOptions): Promise<BrowserContext> } {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
  });
  return {
    async newContext(options) {
      if (!browser) throw new Error("Chromium is not launched yet");
      const context = await browser.newContext(options);
      contexts.push(context);
      return context;
    },
  };
}

/** A page of `context` on the demo, not logged in. */
export async function openDemo(context: BrowserContext, watch?: (page: Page) => void): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  watch?.(page);
  await page.goto(`${baseUrl()}/demo/`);
  return page;
}

/** Logs the demo in with a token of `user` for `ws`, and waits until it says who is in. */
export async function loginWithToken(page: Page, user: string, ws: string): Promise<void> {
  await page.getByTestId("token-input").fill(token(user, ws));
  await page.getByTestId("workspace-input").fill(ws);
  await page.getByTestId("token-login").click();
  await expect.poll(() => page.getByTestId("who").textContent()).toBe(`${user} @ ${ws}`);
}

/** The server's copy of a document, read as another user of the workspace. */
export async function serverDocument(ws: string, id: string): Promise<{ version: number; title: string; content: string }> {
  const response = await fetch(`${baseUrl()}/api/v1/workspaces/${ws}/documents/${id}`, { headers: { Authorization: `Bearer ${token("checker", ws)}` } });
  return (await response.json()) as { version: number; title: string; content: string };
}
