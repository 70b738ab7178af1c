// The consumer's pages in real Chromium, against a real service on PostgreSQL and a `hardhat node`
// the browser asks itself (PUBLIC_RPC_URL): a clone warning after scans from several browser
// contexts; claiming with the wrong and the right PIN; notarizing a file and watching /r/{id}
// reach final and verify; the check page with the right file, a one-byte-different file and a
// forged receipt (a lookalike contract) — each verdict asserted; a disclosure of an order's fields,
// and one with a changed value; zh-CN and en; axe-core; the CSP; screenshots under docs/screenshots/.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import type { Browser, BrowserContext, BrowserContextOptions } from "playwright-core";
import { batchAnchorAt } from "../../src/chain/artifact.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";
import { encodeDisclosure, type JsonValue, type Receipt } from "../../src/merkle/index.ts";
import { axeViolations, cspViolations, DESKTOP, launchBrowser, PHONE, screenshot, watchedPage } from "../support/browser.ts";
import { createTestDatabase } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { hardhatSigner, startHardhatNode, type HardhatNode } from "../support/hardhat-node.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

let node: HardhatNode;
let server: ServerProcess;
let browser: Browser;
let merchantKey: string;
let items: string[];
const cleanups: Array<() => Promise<unknown>> = [];

t.before(async () => {
  node = await startHardhatNode();
  cleanups.push(() => node.stop());
  const deployed = await deployWithScriptPrinting(node.url);
  const database = await createTestDatabase();
  cleanups.push(() => database.drop());
  const work = await mkdtemp(join(tmpdir(), "tracemark-consumer-pages-"));
  cleanups.push(() => rm(work, { recursive: true, force: true }));
  const dbEnv: Record<string, string> = database.url ? { DATABASE_URL: database.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
  server = await startServer(
    {
      ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: deployed.address, PUBLIC_RPC_URL: node.url, TRACEMARK_DEMO: "1", BATCH_INTERVAL_MS: "200",
      PUBLIC_RATE_LIMIT: "100000", LOG_LEVEL: "warn", PIN_HMAC_KEY: randomBytes(32).toString("hex"), SCAN_DEVICE_SALT: randomBytes(32).toString("hex"), CLONE_MAX_DEVICES: "2",
    },
    { readyTimeoutMs: 120_000 },
  );
  cleanups.unshift(async () => {
    server.kill("SIGTERM");
    await server.exited;
  });
  for (let waited = 0; !/Demo resolver URLs[\s\S]*\n\n/.test(server.output()); waited += 100) {
    if (waited > 120_000) throw new Error(`no demo URLs printed:\n${server.output()}`);
    await sleep(100);
  }
  merchantKey = /Demo merchant API key \(shown once, keep it\):\n\s+(tmk_\S+)/.exec(server.output())![1]!;
  items = /Demo resolver URLs \(product, lots, items\):\n([\s\S]*?)\n\n/.exec(server.output())![1]!.split("\n").filter((u) => u.includes("/21/"));
  browser = await launchBrowser();
  cleanups.unshift(() => browser.close());
});
t.teardown(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
});

const path = (url: string) => new URL(url).pathname;
const api = async (method: string, url: string, body?: unknown) => {
  const res = await fetch(`${server.url}${url}`, { method, headers: { authorization: `Bearer ${merchantKey}`, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return res;
};

async function context(options: BrowserContextOptions & { locale?: string; userAgent?: string } = PHONE): Promise<BrowserContext> {
  return browser.newContext({ locale: "zh-CN", ...options });
}

/** A new lot of the demo product with `count` items that have scratch PINs: [uri, pin]. */
async function itemsWithPins(count: number): Promise<Array<{ uri: string; pin: string }>> {
  const gtin = /\/01\/(\d{14})\//.exec(items[0]!)![1]!;
  const lot = `CLAIM${randomBytes(3).toString("hex").toUpperCase()}`;
  await api("POST", `/v1/products/${gtin}/lots`, { lot });
  const job = (await (await api("POST", `/v1/products/${gtin}/lots/${lot}/items`, { count, pins: true })).json()) as { id: string };
  for (let i = 0; (await (await api("GET", `/v1/jobs/${job.id}`)).json() as { status: string }).status !== "succeeded"; i++) {
    if (i > 200) throw new Error("items job did not finish");
    await sleep(50);
  }
  const csv = await (await api("GET", `/v1/jobs/${job.id}/items?format=csv`)).text();
  return csv.trim().split("\r\n").slice(1).map((line) => {
    const [, uri, pin] = line.split(",") as [string, string, string];
    return { uri, pin };
  });
}

t.test("a code checked from several devices warns on the scan page", async (t) => {
  const url = `${server.url}${path(items[0]!)}`;
  const agents = ["Mozilla/5.0 (iPhone) Tracemark-A", "Mozilla/5.0 (Android) Tracemark-B", "Mozilla/5.0 (iPad) Tracemark-C"];
  for (const [i, userAgent] of agents.entries()) {
    const locale = i === 2 ? "en" : "zh-CN";
    const ctx = await context({ ...PHONE, userAgent, locale });
    const { page, console } = await watchedPage(ctx);
    await page.goto(`${url}?lang=${locale}`);
    const panel = page.locator("#scans");
    t.equal(await panel.getAttribute("data-devices"), String(i + 1), `device ${i + 1}: counted`);
    if (i < 2) t.equal(await page.locator("[data-warning=many-devices]").count(), 0, `${i + 1} devices: no warning yet`);
    else {
      t.match(await page.locator("[data-warning=many-devices]").textContent(), /3 different devices have checked this one code/, "the third device sees the warning");
      t.same(await axeViolations(page), [], "no serious or critical axe-core violations");
      t.same(cspViolations(console), [], "no CSP violation");
      await screenshot(page, "scan-clone-warning", "phone", locale);
    }
    await ctx.close();
  }
});

t.test("claiming an item: the wrong PIN is refused, the right one claims it, another device is warned", async (t) => {
  const [item] = await itemsWithPins(1);
  const url = `${server.url}${path(item!.uri)}`;
  const buyer = await context({ ...PHONE, userAgent: "Mozilla/5.0 (iPhone) Buyer", locale: "en" });
  const { page, console } = await watchedPage(buyer);
  await page.goto(`${url}?lang=en`);
  await page.getByLabel("PIN under the scratch label").fill("WRONG999");
  await page.getByRole("button", { name: "Claim this item" }).click();
  await page.waitForSelector('#claim[data-claim-result="wrong"]');
  t.match(await page.locator("#claim").textContent(), /That PIN does not match this item/);
  await screenshot(page, "claim-wrong-pin", "phone", "en");
  await page.getByLabel("PIN under the scratch label").fill(item!.pin.toLowerCase());
  await page.getByRole("button", { name: "Claim this item" }).click();
  await page.waitForSelector('#claim[data-claimed="true"]');
  t.match(await page.locator("#claim").textContent(), /You claimed this item on/);
  t.same(await axeViolations(page), [], "no serious or critical axe-core violations");
  t.same(cspViolations(console), [], "no CSP violation");
  await screenshot(page, "claim-done", "phone", "en");
  await buyer.close();

  const other = await context({ ...PHONE, userAgent: "Mozilla/5.0 (Android) Someone else", locale: "zh-CN" });
  const second = await watchedPage(other);
  await second.page.goto(url);
  t.match(await second.page.locator("[data-warning=claimed-elsewhere]").textContent(), /已于 .+ 被买家认领/, "another device: it may be a copy (zh-CN)");
  t.equal(await second.page.locator("#claim form").count(), 0, "no form for a claimed item");
  await screenshot(second.page, "scan-claimed-elsewhere", "phone", "zh-CN");
  await other.close();
});

let notarized: { id: string; file: Buffer };

t.test("notarize a file: hashed in the browser, only the hash sent, /r/{id} reaches final and verifies", async (t) => {
  const file = Buffer.concat([Buffer.from("unboxing video, frame data: "), randomBytes(3 * 1024 * 1024)]);
  for (const [device, options] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    for (const locale of ["zh-CN", "en"]) {
      const ctx = await context({ ...options, locale });
      const { page, console } = await watchedPage(ctx);
      const sent: string[] = [];
      page.on("request", (r) => {
        if (r.method() === "POST") sent.push(r.postData() ?? "");
      });
      await page.goto(`${server.url}/notarize?lang=${locale}`);
      t.equal(await page.locator("#notarize").getAttribute("data-js"), "on", "the script runs under the page's CSP");
      await page.setInputFiles("#tm-file", { name: "unboxing.mp4", mimeType: "video/mp4", buffer: file });
      await page.locator("#tm-notarize button[type=submit]").click();
      await page.waitForSelector('#notarize[data-state="done"]', { timeout: TIMEOUT_MS });
      t.equal(await page.locator("[data-role=hash]").textContent(), sha256(file), `${device} ${locale}: the browser's SHA-256 is sha256sum's`);
      t.equal(sent.length, 1, "one request");
      t.ok(sent[0]!.length < 1_000 && sent[0]!.includes(sha256(file)), "only the hash and labels were sent, not the 3 MiB file");
      t.match(await page.locator("#tm-download").getAttribute("href"), /^blob:/, "the receipt to download");
      const id = (await page.locator("#notarize").getAttribute("data-record-id"))!;
      notarized = { id, file };
      t.same(cspViolations(console), [], "no CSP violation (WebAssembly allowed on this page only)");
      t.same(await axeViolations(page), [], `${device} ${locale}: no serious or critical axe-core violations`);
      await screenshot(page, "notarize", device, locale);
      if (device === "phone" && locale === "en") {
        await page.locator("#tm-page").click();
        await page.waitForSelector('#receipt[data-status="final"][data-verdict="valid"]', { timeout: TIMEOUT_MS });
        t.match(await page.locator("[data-role=verdict]").textContent(), /✓ Verified by your browser: anchored on .+, block \d+\./);
        t.same(await axeViolations(page), [], "receipt page: no serious or critical axe-core violations");
        await screenshot(page, "receipt-final", device, locale);
      }
      await ctx.close();
    }
  }
  const ctx = await context({ ...DESKTOP, locale: "zh-CN" });
  const { page } = await watchedPage(ctx);
  await page.goto(`${server.url}/r/${notarized.id}`);
  await page.waitForSelector('#receipt[data-verdict="valid"]', { timeout: TIMEOUT_MS });
  t.match(await page.locator("[data-role=verdict]").textContent(), /✓ 已由您的浏览器核验/);
  await screenshot(page, "receipt-final", "desktop", "zh-CN");
  await ctx.close();
});

/** The check page in a new browser context, with what it sends anywhere but the chain's node (nothing, it should be). */
async function checkPage(device: "phone" | "desktop", locale: string) {
  const ctx = await context({ ...(device === "desktop" ? DESKTOP : PHONE), locale });
  const { page, console } = await watchedPage(ctx);
  const uploads: string[] = [];
  page.on("request", (r) => {
    if (r.method() !== "GET" && !r.url().startsWith(node.url)) uploads.push(r.url());
  });
  await page.goto(`${server.url}/check?lang=${locale}`);
  return { ctx, page, console, uploads };
}

t.test("the check page: the right file, a one-byte-different file, a forged receipt", async (t) => {
  const receiptText = await (await fetch(`${server.url}/r/${notarized.id}/receipt.json`)).text();
  const receipt = JSON.parse(receiptText) as Receipt;
  t.equal(receipt.anchor?.status, "final");
  const changed = Buffer.from(notarized.file);
  changed[changed.length - 1]! ^= 1;

  // A lookalike: the forger's own BatchAnchor on the same chain anchors the same root; the receipt names it.
  const forger = await hardhatSigner(node.url, 7);
  const { address: lookalike } = await deployBatchAnchor(forger);
  const tx = await batchAnchorAt(lookalike, forger).anchor(`0x${receipt.inclusion!.root}`, receipt.inclusion!.treeSize);
  const mined = (await tx.wait())!;
  const block = (await forger.provider.getBlock(mined.blockNumber))!;
  const forged: Receipt = { ...receipt, anchor: { ...receipt.anchor!, contract: lookalike, txHash: tx.hash, batchSeq: 1, blockNumber: block.number, blockHash: block.hash!, blockTime: new Date(block.timestamp * 1000).toISOString() } as Receipt["anchor"] };

  const cases = [
    { name: "check-right-file", receipt: receiptText, content: notarized.file, verdict: "valid", failed: null, text: { en: /✓ Genuine, and this is the notarized file/, "zh-CN": /✓ 真实，而且正是被存证的文件/ } },
    { name: "check-changed-file", receipt: receiptText, content: changed, verdict: "invalid", failed: "contentHash", text: { en: /✗ Does not verify: The file matches\./, "zh-CN": /✗ 核验未通过：文件一致。/ } },
    { name: "check-forged-receipt", receipt: JSON.stringify(forged), content: notarized.file, verdict: "invalid", failed: "trust", text: { en: /✗ Does not verify: A trusted contract anchored it\./, "zh-CN": /✗ 核验未通过：由受信任的合约锚定。/ } },
  ] as const;
  for (const c of cases) {
    for (const locale of ["zh-CN", "en"] as const) {
      const device = c.name === "check-right-file" && locale === "en" ? "desktop" : "phone";
      const { ctx, page, console, uploads } = await checkPage(device, locale);
      await page.setInputFiles("#tm-receipt-file", { name: "receipt.json", mimeType: "application/json", buffer: Buffer.from(c.receipt) });
      await page.setInputFiles("#tm-content-file", { name: "unboxing.mp4", mimeType: "video/mp4", buffer: c.content });
      await page.locator("#tm-check button[type=submit]").click();
      await page.waitForSelector('#check[data-verification="done"]', { timeout: TIMEOUT_MS });
      t.equal(await page.locator("#check").getAttribute("data-verdict"), c.verdict, `${c.name} ${locale}: ${c.verdict}`);
      t.match(await page.locator("[data-role=headline]").textContent(), c.text[locale]);
      const failedSteps = await page.locator('[data-step][data-ok="false"]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { step: string } }).dataset.step));
      t.same(failedSteps.slice(0, 1), c.failed ? [c.failed] : [], `${c.name}: the failed step`);
      t.ok((await page.locator("[data-step]").count()) >= 10, "a verdict per step");
      t.same(uploads, [], "nothing was sent to the service");
      t.same(cspViolations(console), [], "no CSP violation");
      t.same(await axeViolations(page), [], "no serious or critical axe-core violations");
      await screenshot(page, c.name, device, locale);
      await ctx.close();
    }
  }
});

t.test("the check page verifies a disclosure: the fields shown, how many stayed hidden; a changed value fails at the disclosure step", async (t) => {
  const [item] = await itemsWithPins(1);
  const gtin = /\/01\/(\d{14})\//.exec(item!.uri)![1]!;
  const serial = decodeURIComponent(item!.uri.split("/21/")[1]!);
  const { orderId, record } = (await (
    await api("POST", "/v1/orders", { orderRef: `DY-${randomBytes(4).toString("hex")}`, placedAt: "2026-11-11T20:03:05+08:00", currency: "CNY", total: "199.00", items: [{ gtin, serial, price: "199.00" }], buyer: { id: "buyer-7f3a", phone: "+86 138 0013 8000" } })
  ).json()) as { orderId: string; record: { id: string } };
  for (let waited = 0; ; waited += 250) {
    const view = (await (await api("GET", `/v1/orders/${orderId}`)).json()) as { records: Array<{ receipt: Receipt }> };
    if (view.records[0]!.receipt.anchor?.status === "final") break;
    if (waited > TIMEOUT_MS) throw new Error("the order's record did not reach final");
    await sleep(250);
  }
  const document = (await (await api("POST", `/v1/orders/${orderId}/records/${record.id}/disclosure`, { fields: ["total", "items"] })).json()) as { disclosures: string[] };
  // The total changed and re-encoded with its own salt: well-formed, but not what the record commits to.
  const changed = {
    ...document,
    disclosures: document.disclosures.map((d) => {
      const [salt, name, value] = JSON.parse(Buffer.from(d, "base64url").toString("utf8")) as [string, string, JsonValue];
      return encodeDisclosure(salt, name, name === "total" ? "19.90" : value).disclosure;
    }),
  };
  const cases = [
    { name: "check-disclosure", text: JSON.stringify(document), verdict: "valid", failed: null, headline: { en: /✓ Genuine: these 2 field\(s\) belong to a record anchored on .* 4 field\(s\) stayed hidden/, "zh-CN": /✓ 真实：这 2 个字段属于在 .*；另有 4 个字段未披露/ } },
    { name: "check-disclosure-changed", text: JSON.stringify(changed), verdict: "invalid", failed: "disclosure", headline: { en: /✗ Does not verify: The disclosed fields belong to the record\./, "zh-CN": /✗ 核验未通过：披露的字段属于该记录。/ } },
  ] as const;
  for (const c of cases) {
    for (const locale of ["zh-CN", "en"] as const) {
      const device = locale === "en" && c.verdict === "valid" ? "desktop" : "phone";
      const { ctx, page, console, uploads } = await checkPage(device, locale);
      await page.locator("#tm-receipt-text").fill(c.text);
      await page.locator("#tm-check button[type=submit]").click();
      await page.waitForSelector('#check[data-verification="done"]', { timeout: TIMEOUT_MS });
      t.equal(await page.locator("#check").getAttribute("data-verdict"), c.verdict, `${c.name} ${locale}: ${c.verdict}`);
      t.match(await page.locator("[data-role=headline]").textContent(), c.headline[locale]);
      const failedSteps = await page.locator('[data-step][data-ok="false"]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { step: string } }).dataset.step));
      t.same(failedSteps, c.failed ? [c.failed] : [], `${c.name}: the failed step`);
      if (c.verdict === "valid") {
        const fields = await page.locator("[data-disclosed-field]").evaluateAll((rows) => rows.map((r) => [(r as unknown as { dataset: { disclosedField: string } }).dataset.disclosedField, (r as unknown as { lastChild: { textContent: string } }).lastChild.textContent]));
        t.same(fields, [["total", '"199.00"'], ["items", JSON.stringify([{ gtin, price: "199.00", serial }])]], "the disclosed fields, as recorded");
        t.match(await page.locator("[data-role=hidden]").textContent(), /4/, "and how many stayed hidden");
        t.notMatch(await page.locator("#tm-report").textContent(), /buyer-7f3a|138 0013/, "the buyer is nowhere on the page");
      } else t.equal(await page.locator("[data-disclosed-field]").count(), 0, "no field is shown as disclosed");
      t.same(uploads, [], "nothing was sent to the service");
      t.same(cspViolations(console), [], "no CSP violation");
      t.same(await axeViolations(page), [], "no serious or critical axe-core violations");
      await screenshot(page, c.name, device, locale);
      await ctx.close();
    }
  }
});
