// The scan page's live-stream claims and merchant qualification panels in real Chromium, against a
// real service on PostgreSQL and a `hardhat node` the browser asks itself: the demo merchant opens
// a public stream and claims the product on air; the operator approves one qualification still
// valid and one expired. Both panels show, the claim turns ✓ like a timeline entry (its receipt
// checked by the same bundled verifier), the expired one is warned; zh-CN and en; axe-core.
import t from "tap";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Browser } from "playwright-core";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import type { Database } from "../../src/db/database.ts";
import { axeViolations, cspViolations, DESKTOP, launchBrowser, PHONE, screenshot, watchedPage } from "../support/browser.ts";
import { multipartBody, multipartType } from "../support/multipart.ts";
import { startDemoService, type DemoService } from "./support.ts";

const VERIFY_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

t.test("a product with a claim said on air and checked qualifications shows both panels; the claim turns ✓", { skip: process.env["DATABASE_URL"] ? false : "needs PostgreSQL (DATABASE_URL)" }, async (t) => {
  const merchantToken = /Demo merchant API key[^\n]*\n\s+(\S+)/.exec(service.server.output())?.[1];
  t.ok(merchantToken, "the demo printed its merchant key");
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: service.databaseUrl }) }) });
  t.teardown(() => db.destroy());
  const admin = await issueApiKey(db, { role: "admin" });
  const call = async (token: string, method: string, url: string, payload?: object, headers: Record<string, string> = {}) => {
    const res = await fetch(`${service.server.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(payload && !(payload instanceof Buffer) ? { "content-type": "application/json" } : {}), ...headers },
      ...(payload ? { body: payload instanceof Buffer ? payload : JSON.stringify(payload) } : {}),
    });
    const body = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${body}`);
    return JSON.parse(body);
  };
  const itemUrl = new URL(service.soldItems[0]!);
  const gtin = /\/01\/(\d{14})/.exec(itemUrl.pathname)![1]!;

  const stream = await call(merchantToken!, "POST", "/v1/streams", { platform: "Douyin", roomUrl: "https://live.douyin.com/42", host: "Lin", plannedProducts: [gtin], public: true });
  const streamId = (stream.stream ?? stream).id as string;
  const claim = await call(merchantToken!, "POST", `/v1/streams/${streamId}/claims`, { gtin, quote: "这是100%桑蚕丝", price: { amount: "199.00", currency: "CNY" }, promises: ["7天无理由退货"], at: "2026-11-20T20:15:03+08:00" });
  const claimRecordId = (claim.record?.id ?? claim.claim?.id) as string;

  const upload = async (text: string) =>
    (await call(merchantToken!, "POST", "/v1/evidence/files", Buffer.from(multipartBody([{ name: "file", filename: "licence.pdf", type: "application/pdf", data: text }])), { "content-type": multipartType() })).file as { id: string };
  const submitAndApprove = async (body: object, text: string) => {
    const file = await upload(text);
    const submitted = await call(merchantToken!, "POST", "/v1/qualifications", { ...body, file: { id: file.id } });
    await call(admin.token, "POST", `/v1/admin/qualifications/${submitted.qualification.id}/decision`, { decision: "approved", reason: "matches the register" });
  };
  await submitAndApprove({ type: "business-licence", number: "91320500MA1XXXXX0X", validFrom: "2020-01-01", validUntil: null }, "营业执照 scan");
  await submitAndApprove({ type: "food-permit", number: "JY13205000000000", validFrom: "2021-05-01", validUntil: "2024-04-30" }, "食品经营许可证 scan");

  // The claim's record must be anchored before the browser can find it on chain.
  for (const started = Date.now(); ; await sleep(200)) {
    const r = await fetch(`${service.server.url}/v1/records/${claimRecordId}/receipt`, { headers: { authorization: `Bearer ${merchantToken}` } });
    if (r.ok && ((await r.json()) as { anchor?: unknown }).anchor) break;
    if (Date.now() - started > 60_000) throw new Error("claim not anchored");
  }

  for (const [device, options] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    for (const locale of ["zh-CN", "en"]) {
      const ctx = await browser.newContext({ locale: "zh-CN", ...options });
      const { page, console } = await watchedPage(ctx);
      await page.goto(`${itemUrl.href}?lang=${locale}`);
      await page.waitForSelector('[data-verification="done"]', { timeout: VERIFY_TIMEOUT_MS });
      const panel = page.locator("#stream-claims");
      t.equal(await panel.getAttribute("data-claims"), "1", "one claim listed");
      const entry = panel.locator("[data-claim]");
      t.equal(await entry.getAttribute("data-verdict"), "valid", `${device} ${locale}: the claim verifies in the browser`);
      t.match(await entry.locator("[data-role=verdict]").textContent(), /^✓/);
      t.match(await panel.textContent(), locale === "en" ? /Said on air on[\s\S]*Douyin[\s\S]*这是100%桑蚕丝[\s\S]*199\.00 CNY[\s\S]*7天无理由退货[\s\S]*Host Lin/ : /在直播中说[\s\S]*Douyin[\s\S]*这是100%桑蚕丝[\s\S]*199\.00 CNY[\s\S]*主播 Lin/);
      const q = page.locator("#qualification");
      t.equal(await q.getAttribute("data-expired"), "food-permit");
      t.match(await q.textContent(), locale === "en" ? /Qualification checked by the operator on[\s\S]*Food business permit expired on[\s\S]*Business licence: No end date/ : /资质已由平台于[\s\S]*审核[\s\S]*食品经营许可证已于[\s\S]*过期[\s\S]*营业执照: 长期有效/);
      t.equal(await q.locator('[data-warning="qualification-expired"]').getAttribute("role"), "alert");
      const all = await page.locator("[data-entry]").evaluateAll((els) => els.map((e) => e.getAttribute("data-verdict")));
      t.same(all, all.map(() => "valid"), "the timeline still verifies alongside");
      t.same(cspViolations(console), [], "no CSP violation");
      t.same(await axeViolations(page), [], `${device} ${locale}: no serious or critical axe-core violations`);
      await screenshot(page, "scan-claims", device, locale);
      await ctx.close();
    }
  }
});
