// The mediator's pages in real Chromium, against the app on PostgreSQL listening on loopback and a
// `hardhat node` the browser asks itself (PUBLIC_RPC_URL): a mediator signs in with its key by the
// form, sees its case list, opens its case whose every record turns ✓ in the browser, downloads
// the bundle (a ZIP whose bagit.txt is there), records a decision that appears on the timeline;
// another mediator gets the 404 page for the same case; zh-CN and en; axe-core; the CSP;
// screenshots docs/screenshots/mediator-*.png.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { Browser, Page } from "playwright-core";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { axeViolations, cspViolations, DESKTOP, launchBrowser, PHONE, screenshot, watchedPage } from "../support/browser.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";

const TIMEOUT_MS = 90_000;

const unzipList = (path: string) =>
  new Promise<string>((resolve, reject) => execFile("unzip", ["-Z1", path], (error, stdout) => (error ? reject(error) : resolve(stdout))));

t.test("a mediator's cases in the browser", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const deployed = await deployWithScriptPrinting(node.url);
  const work = await mkdtemp(join(tmpdir(), "tracemark-mediator-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const h = await buildTestApp({
    CHAIN_RPC_URL: node.url,
    PUBLIC_RPC_URL: node.url,
    CONTRACT_ADDRESS: deployed.address,
    CONTRACT_DEPLOY_BLOCK: String(deployed.deployBlock),
    BATCH_INTERVAL_MS: "200",
    CHAIN_POLL_MS: "100",
  });
  const pipeline = startPipeline(h.config, h.database, h.chain, { info: () => {}, warn: () => {} });
  t.teardown(async () => {
    await pipeline.stop();
    await h.close();
  });
  const base = await h.app.listen({ host: "127.0.0.1", port: 0 });

  const shop = await merchantKey(h.database, "丝路直播 Silk Road Live");
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "消费者协会" });
  const stranger = await issueApiKey(h.database.db, { role: "mediator", label: "another mediator" });
  const call = async (method: string, url: string, key: { token: string } | null, payload?: object) => {
    const res = await h.app.inject({ method: method as "GET", url, headers: key ? bearer(key) : {}, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const order = await call("POST", "/v1/records", shop, { kind: "evidence.order", subject: "urn:tracemark:order:A-1001", payload: { orderRef: "A-1001", item: "silk scarf", price: "199.00" } });
  const chat = await call("POST", "/v1/records", shop, { kind: "evidence.chat", subject: "urn:tracemark:order:A-1001", payload: { from: "buyer", text: "是真丝吗？" } });
  const opened = await call("POST", "/v1/cases/consumer", null, { merchantId: shop.merchantId, orderRef: "A-1001", summary: "标签写的是聚酯纤维，主播说是真丝。", deliveredAt: new Date(Date.now() - 86_400_000).toISOString() });
  const caseId = opened.case.id as string;
  await call("POST", `/v1/cases/${caseId}/mediator`, h.admin, { keyId: mediator.keyId });
  for (const record of [order, chat]) await call("POST", `/v1/cases/${caseId}/evidence`, shop, { recordId: record.id, note: "from the shop" });
  const anchored = async () => {
    for (let i = 0; ; i++) {
      if (i > 600) throw new Error("records not anchored after 60 s");
      const view = await call("GET", `/v1/cases/${caseId}`, h.admin);
      const ids = [...view.evidence.map((e: { recordId: string }) => e.recordId), ...view.timeline.map((e: { recordId: string }) => e.recordId)];
      const statuses = await Promise.all(ids.map(async (id: string) => (await call("GET", `/v1/records/${id}`, h.admin)).status));
      if (statuses.every((s) => s === "anchored" || s === "final")) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await anchored();

  const browser: Browser = await launchBrowser();
  t.teardown(() => browser.close());

  const signIn = async (page: Page, key: string, lang: string, expected: RegExp = /\/cases$/) => {
    await page.goto(`${base}/cases/sign-in?lang=${lang}`);
    await page.fill("#key", key);
    await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), page.click("button[type=submit]")]);
    await page.waitForURL(expected);
  };
  const allVerified = async (page: Page) => {
    await page.waitForSelector("#case[data-verification=done]", { timeout: TIMEOUT_MS });
    return page.$$eval("[data-entry]", (els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset["verdict"]));
  };

  for (const [locale, device, options] of [["zh-CN", "phone", PHONE], ["en", "desktop", DESKTOP]] as const) {
    await t.test(`${locale}, ${device}`, async (t) => {
      const ctx = await browser.newContext({ locale, acceptDownloads: true, ...options });
      t.teardown(() => ctx.close());
      const { page, console } = await watchedPage(ctx);
      await page.goto(`${base}/cases`);
      t.match(page.url(), /\/cases\/sign-in$/, "without a session /cases sends to the sign-in form");
      await signIn(page, "tmk_not-a-key", locale, /\/cases\/sign-in$/);
      t.equal(await page.locator("#sign-in-failed").count(), 1, "a wrong key is refused on the form");
      await signIn(page, mediator.token, locale);
      t.notMatch(page.url(), /tmk_/, "the key is never in a URL");
      const cookies = await ctx.cookies();
      const session = cookies.find((c) => c.name === "tm_cases")!;
      t.ok(session.httpOnly && session.sameSite === "Strict" && session.path === "/cases", "HttpOnly, SameSite=Strict session cookie on /cases");
      t.equal(await page.locator(`[data-case-id="${caseId}"]`).count(), 1, "the assigned case is in the list");
      t.same(await axeViolations(page), [], "list: no serious or critical axe-core violations");
      await screenshot(page, "mediator-cases", device, locale);

      await page.click(`[data-case-id="${caseId}"] a`);
      const verdicts = await allVerified(page);
      t.ok(verdicts.length >= 5, `every record has an entry (${verdicts.length})`);
      t.same(verdicts.filter((v) => v !== "valid"), [], "every evidence and timeline record turns ✓ in the browser");
      t.match(await page.locator("[data-role=summary]").textContent(), new RegExp(`${verdicts.length}\\D+${verdicts.length}`), "the summary says all of them verified");
      t.same(await axeViolations(page), [], "case: no serious or critical axe-core violations");
      await screenshot(page, "mediator-case", device, locale);

      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#bundle-link")]);
      const zip = join(work, `${locale}.zip`);
      await download.saveAs(zip);
      t.match(await unzipList(zip), /(^|\n)bagit\.txt\n/, "the downloaded bundle is a ZIP with bagit.txt");

      const other = await browser.newContext({ locale, ...options });
      const strangerPage = await other.newPage();
      await signIn(strangerPage, stranger.token, locale);
      t.equal(await strangerPage.locator(`[data-case-id="${caseId}"]`).count(), 0, "an unassigned mediator does not see the case in its list");
      const res = await strangerPage.goto(`${base}/cases/${caseId}`);
      t.equal(res?.status(), 404, "an unassigned mediator gets the 404 page");
      t.equal(await strangerPage.locator("#case-missing").count(), 1);
      const bundle = await strangerPage.request.get(`${base}/cases/${caseId}/bundle`);
      t.equal(bundle.status(), 404, "and no bundle");
      await other.close();

      if (locale === "en") {
        const forged = await page.request.post(`${base}/cases/${caseId}/decision`, { form: { csrf: "forged", outcome: "refund", reasons: "x" }, maxRedirects: 0 });
        t.equal(forged.status(), 403, "a decision without the session's form token is refused");
        await page.selectOption("#outcome", "return-and-refund");
        await page.fill("#reasons", "The label contradicts the host's claim.");
        await Promise.all([page.waitForURL(/decision=done/), page.click("#decision ~ form button[type=submit]")]);
        t.equal(await page.getAttribute("#case", "data-state"), "decided");
        t.match(await page.locator("#timeline ~ ol").textContent(), /Return and refund: The label contradicts the host's claim\./, "the decision is on the timeline");
        t.equal(await page.locator("#decision").count(), 0, "no decision form once decided");
        await screenshot(page, "mediator-decided", device, locale);
        const view = await call("GET", `/v1/cases/${caseId}`, mediator);
        t.equal(view.decision?.outcome, "return-and-refund", "recorded through the cases service");
      }
      t.same(cspViolations(console), [], "no CSP violation");
      await page.click(".sign-out button");
      await page.waitForURL(/sign-in$/);
      t.equal((await ctx.cookies()).filter((c) => c.name === "tm_cases").length, 0, "signing out drops the session cookie");
    });
  }
});
