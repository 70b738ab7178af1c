// Real Chromium (Debian's /usr/bin/chromium) through playwright-core, for the page tests: a phone
// and a desktop context, an axe-core check, screenshots into docs/screenshots/, and every console
// message kept so a test can assert there was no CSP violation.
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import axe from "axe-core";
import type { Browser, BrowserContext, BrowserContextOptions, Page } from "playwright-core";
import { launchChromium } from "../../scripts/lib/chromium.ts";

export { CHROMIUM } from "../../scripts/lib/chromium.ts";
const SCREENSHOTS = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));

export const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 780 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true };
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export interface WatchedPage {
  page: Page;
  /** Console messages and page errors, in order. */
  console: string[];
}

/** A page in `context` whose console and errors are recorded. */
export async function watchedPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  const console: string[] = [];
  page.on("console", (message) => console.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => console.push(`pageerror: ${error.message}`));
  return { page, console };
}

/** Console lines that report a Content-Security-Policy violation. */
export const cspViolations = (lines: readonly string[]) => lines.filter((line) => /Content Security Policy|Refused to (load|execute|apply|connect|evaluate)/i.test(line));

export interface AxeViolation {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: number;
}

/**
 * axe-core's serious and critical violations on the page as it is now. The script is added with
 * addScriptTag's content, which a strict CSP would block, so it is evaluated from the test's side
 * through the DevTools protocol (Page.evaluate is not subject to the page's CSP).
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axe.source);
  const results = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as { violations: Array<{ id: string; impact?: string | null; help: string; nodes: unknown[] }> };
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length }));
}

/** docs/screenshots/<name>-<phone|desktop>-<locale>.png, the full page. */
export async function screenshot(page: Page, name: string, device: "phone" | "desktop", locale: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = `${SCREENSHOTS}${name}-${device}-${locale}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
