// Debian's Chromium through playwright-core, headless and quiet (no background traffic): shared by
// the page tests (test/support/browser.ts) and the scan page bench (scripts/bench/scan.ts).
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
}
