import { chromium, type Browser } from "playwright-core";

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
