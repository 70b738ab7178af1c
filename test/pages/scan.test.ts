// The scan page in real Chromium, against a real service on PostgreSQL and a `hardhat node` that
// the browser asks itself (PUBLIC_RPC_URL): every entry of an anchored history turns ✓; a payload
// altered in the database turns its entry ✗ naming the step; the recall banner; zh-CN and en; the
// no-JavaScript view; axe-core; the CSP; screenshots at phone and desktop width.
import t from "tap";
import pg from "pg";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { axeViolations, cspViolations, DESKTOP, launchBrowser, PHONE, screenshot, watchedPage } from "../support/browser.ts";
import { startDemoService, TRACE_CACHE_MAX_AGE_MS, type DemoService } from "./support.ts";

const VERIFY_TIMEOUT_MS = 30_000;

let service: DemoService;
let browser: Browser;
t.before(async () => {
  service = await startDemoService();
  browser = await launchBrowser();
});
t.teardown(async () => {
  await browser?.close();
  await service?.close();
});

const path = (url: string) => new URL(url).pathname;

async function open(url: string, context: BrowserContextOptions & { locale?: string } = PHONE) {
  const ctx = await browser.newContext({ locale: "zh-CN", ...context });
  const watched = await watchedPage(ctx);
  const response = await watched.page.goto(url);
  return { ...watched, ctx, response: response! };
}

async function verdicts(page: Page): Promise<Array<{ verdict: string | null; text: string }>> {
  await page.waitForSelector('[data-verification="done"]', { timeout: VERIFY_TIMEOUT_MS });
  const entries = page.locator("[data-entry]");
  const out: Array<{ verdict: string | null; text: string }> = [];
  for (let i = 0; i < (await entries.count()); i++) {
    out.push({ verdict: await entries.nth(i).getAttribute("data-verdict"), text: (await entries.nth(i).locator("[data-role=verdict]").textContent()) ?? "" });
  }
  return out;
}

t.test("an anchored history turns ✓ for every entry, in the shopper's browser, with the CSP and no violations", async (t) => {
  const url = `${service.server.url}${path(service.soldItems[0]!)}`;
  for (const [device, options] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    for (const locale of ["zh-CN", "en"]) {
      const { page, console, ctx, response } = await open(`${url}?lang=${locale}`, options);
      const csp = response.headers()["content-security-policy"] ?? "";
      t.match(csp, /default-src 'none'/, "a CSP on the page");
      t.match(csp, /script-src 'self'(;|$)/);
      t.ok(csp.includes(`connect-src 'self' ${new URL(service.rpcUrl).origin}`), "the browser may ask the public RPC");
      t.match(response.headers()["vary"] ?? "", /Accept-Language/);
      const all = await verdicts(page);
      t.ok(all.length >= 8, `${all.length} entries`);
      t.same(all.map((e) => e.verdict), all.map(() => "valid"), `${device} ${locale}: every entry is valid`);
      t.ok(all.every((e) => e.text.startsWith("✓")), "each says ✓ in words");
      t.match(all[0]!.text, locale === "en" ? /anchored in block \d+/ : /锚定于区块 \d+/, "with the block");
      t.match(await page.locator("main").textContent(), new RegExp(service.rpcUrl.replace(/[.:/]/g, "\\$&")), "the page says which RPC it asked");
      t.same(cspViolations(console), [], "no CSP violation in the console");
      t.same(console.filter((l) => l.startsWith("error") || l.startsWith("pageerror")), [], "no errors in the console");
      t.same(await axeViolations(page), [], `${device} ${locale}: no serious or critical axe-core violations`);
      await screenshot(page, "scan", device, locale);
      await ctx.close();
    }
  }
});

t.test("a recalled lot's item shows the red banner with the reason and instructions", async (t) => {
  const url = `${service.server.url}${path(service.recalledItems[0]!)}`;
  for (const [device, options] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    for (const locale of ["zh-CN", "en"]) {
      const { page, ctx } = await open(`${url}?lang=${locale}`, options);
      const banner = page.locator("[data-recalled]");
      t.equal(await banner.getAttribute("role"), "alert");
      t.match(await banner.textContent(), locale === "en" ? /Recalled: do not use this product[\s\S]*Why:[\s\S]*What to do:/ : /已召回[\s\S]*原因：[\s\S]*处理方式：/);
      const all = await verdicts(page);
      t.same(all.map((e) => e.verdict), all.map(() => "valid"), "the recall is anchored and verifies like the rest");
      t.same(await axeViolations(page), [], "no serious or critical axe-core violations");
      await screenshot(page, "scan-recalled", device, locale);
      await ctx.close();
    }
  }
  const sold = await open(`${service.server.url}${path(service.soldItems[0]!)}`);
  t.equal(await sold.page.locator("[data-recalled]").count(), 0, "no banner on an item of the other lot");
  await sold.ctx.close();
});

t.test("the language: zh-CN by default, ?lang= (kept in a cookie), the cookie, Accept-Language", async (t) => {
  const url = `${service.server.url}${path(service.soldItems[0]!)}`;
  const lang = async (page: Page) => page.locator("html").getAttribute("lang");

  const fr = await open(url, { ...PHONE, locale: "fr-FR" });
  t.equal(await lang(fr.page), "zh-CN", "a language we do not speak: zh-CN");
  t.equal(fr.response.headers()["content-language"], "zh-CN");
  await fr.page.goto(`${url}?lang=en`);
  t.equal(await lang(fr.page), "en", "?lang=en");
  await fr.page.goto(url);
  t.equal(await lang(fr.page), "en", "the cookie keeps the choice");
  t.match(await fr.page.locator("h2#history").textContent(), /History/);
  await fr.page.getByRole("link", { name: "中文" }).click();
  t.equal(await lang(fr.page), "zh-CN", "the switcher goes back to Chinese");
  await fr.ctx.close();

  const en = await open(url, { ...PHONE, locale: "en-GB" });
  t.equal(await lang(en.page), "en", "Accept-Language: en-GB");
  await en.ctx.close();
  const zh = await open(url, { ...PHONE, locale: "zh-TW" });
  t.equal(await lang(zh.page), "zh-CN", "Accept-Language: zh-TW reads the Chinese page");
  await zh.ctx.close();
});

t.test("without JavaScript the page shows the server's own verdicts, labelled as such", async (t) => {
  const { page, ctx } = await open(`${service.server.url}${path(service.soldItems[0]!)}?lang=en`, { ...PHONE, javaScriptEnabled: false });
  const texts = await page.locator("[data-entry] [data-role=verdict]").allTextContents();
  t.ok(texts.length >= 8);
  t.ok(texts.every((text) => /^Server's record, not checked by your browser: on the blockchain in block \d+/.test(text)), texts.join(" | "));
  t.equal(await page.locator("[data-entry][data-verdict]").count(), 0, "no verdict claimed for the browser");
  await screenshot(page, "scan-nojs", "phone", "en");
  await ctx.close();
});

t.test("a payload altered in the database turns its entry ✗, naming the step", { skip: process.env["DATABASE_URL"] ? false : "needs DATABASE_URL (PostgreSQL) to alter a row under the running service" }, async (t) => {
  const item = service.soldItems.at(-1)!;
  const client = new pg.Client({ connectionString: service.databaseUrl });
  await client.connect();
  t.teardown(() => client.end());
  // The item's own commissioning event: its payload bytes no longer hash to the envelope's contentHash.
  const { rows } = await client.query<{ record_id: string }>(
    `select p.record_id from record_payloads p join records r on r.id = p.record_id where r.subject = $1 and r.kind = 'epcis.event' order by r.accepted_at limit 1`,
    [item],
  );
  t.equal(rows.length, 1, "the item has an event of its own");
  await client.query(`update record_payloads set payload = replace(payload, 'commissioning', 'destroying') where record_id = $1`, [rows[0]!.record_id]);
  // The item's history was served before (the setup waited for it to be anchored): a change made
  // in place, behind the service's back, shows once that cached history is past its age.
  await new Promise((resolve) => setTimeout(resolve, TRACE_CACHE_MAX_AGE_MS + 100));

  const { page, ctx } = await open(`${service.server.url}${path(item)}?lang=en`);
  const all = await verdicts(page);
  const altered = await page.locator(`[data-record-id="${rows[0]!.record_id}"]`).getAttribute("data-verdict");
  t.equal(altered, "invalid", "the altered entry is invalid");
  const text = await page.locator(`[data-record-id="${rows[0]!.record_id}"] [data-role=verdict]`).textContent();
  t.equal(text, "✗ Does not verify: the data shown was changed after it was recorded.", "the step, in words");
  t.equal(all.filter((e) => e.verdict === "invalid").length, 1, "only that one");
  t.equal(all.filter((e) => e.verdict === "valid").length, all.length - 1, "the others still verify");
  t.match(await page.locator("[data-role=summary]").textContent(), /1 of \d+ records do not verify/);
  await screenshot(page, "scan-tampered", "phone", "en");
  await ctx.close();
});
