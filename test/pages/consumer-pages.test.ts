// The consumer's pages as the server renders them (JavaScript off), on PostgreSQL: the scan page's
// clone panel counts each view and shows the warnings, the claim form works as a plain form, and
// the notarize, receipt and check pages render in both languages with their data hooks. The
// browser's part (hashing, polling, verifying) is test/pages/consumer-browser.test.ts.
import { createHash, randomBytes } from "node:crypto";
import t from "tap";
import { buildTestApp } from "../support/app.ts";
import { itemsWithPins } from "../support/consumer.ts";
import { objectEvent } from "../support/epcis.ts";
import { PUBLIC_BASE_URL } from "../support/trace.ts";

const PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)";

t.test("consumer pages, server-rendered", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL, PIN_HMAC_KEY: randomBytes(32).toString("hex"), CLONE_MAX_DEVICES: "2" });
  t.teardown(h.close);
  const fx = await itemsWithPins(h, 2);
  const [item, other] = fx.items as [typeof fx.items[0], typeof fx.items[0]];
  const path = (uri: string) => new URL(uri).pathname;
  const scanPage = (uri: string, remoteAddress = "203.0.113.10", lang = "en", query = "") =>
    h.app.inject({ method: "GET", url: `${path(uri)}?lang=${lang}${query}`, remoteAddress, headers: { accept: "text/html", "user-agent": PHONE } });

  await t.test("the scan page counts each view and warns while the item is not shipped", async (t) => {
    const first = await scanPage(item.uri);
    t.equal(first.statusCode, 200);
    t.match(first.body, /id="scans"[^>]*data-checks="1" data-devices="1" data-warnings="not-shipped-or-sold"/);
    t.match(first.body, /First checked on .+; checked 1 times on 1 devices\./);
    t.match(first.body, /data-warning="not-shipped-or-sold"/);
    await scanPage(item.uri, "198.51.100.7");
    const third = await scanPage(item.uri, "192.0.2.9", "zh-CN");
    t.match(third.body, /data-checks="3" data-devices="3" data-warnings="not-shipped-or-sold many-devices"/, "three devices, more than CLONE_MAX_DEVICES=2");
    t.match(third.body, /注意：已有 3 台不同的设备查询过这同一个码。/, "in Chinese");
    await fx.capture([objectEvent({ eventTime: "2026-11-02T08:00:00.000+08:00", epcList: [item.uri], bizStep: "retail_selling", disposition: "retail_sold" })]);
    const sold = await scanPage(item.uri);
    t.match(sold.body, /data-warnings="many-devices"/, "sold: only the device count is left");
  });

  await t.test("the claim form: a wrong PIN, then the right one, each answered on the scan page", async (t) => {
    t.match((await scanPage(other.uri)).body, /<form method="post" action="\/claim"/, "an unclaimed item with a PIN shows the form");
    const claim = (pin: string, remoteAddress = "203.0.113.10") =>
      h.app.inject({ method: "POST", url: "/claim", remoteAddress, headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": PHONE }, payload: new URLSearchParams({ uri: other.uri, pin }).toString() });
    const wrong = await claim("NOTIT123");
    t.equal(wrong.statusCode, 303);
    t.equal(wrong.headers["location"], `${path(other.uri)}?claim=wrong#claim`);
    t.match((await scanPage(other.uri, "203.0.113.10", "en", "&claim=wrong")).body, /data-claim-result="wrong"[\s\S]*That PIN does not match this item/);
    const right = await claim(other.pin);
    t.equal(right.headers["location"], `${path(other.uri)}?claim=done#claim`);
    const mine = (await scanPage(other.uri, "203.0.113.10", "en", "&claim=done")).body;
    t.match(mine, /data-claimed="true" data-claim-result="done"/);
    t.match(mine, /You claimed this item on /);
    t.notMatch(mine, /action="\/claim"/, "no form once claimed");
    const theirs = (await scanPage(other.uri, "198.51.100.99")).body;
    t.match(theirs, /data-warning="claimed-elsewhere"[\s\S]*it may be a copy/);
    t.equal((await claim(other.pin, "198.51.100.99")).headers["location"], `${path(other.uri)}?claim=taken#claim`, "a second claim");
    const offsite = await h.app.inject({ method: "POST", url: "/claim", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "uri=https%3A%2F%2Fevil.example%2Fphish&pin=X" });
    t.equal(offsite.statusCode, 400, "never redirects to a host the form names");
    t.match(offsite.json().error, { field: "body.uri" });
  });

  await t.test("notarize and check pages: both languages, scripts by hashed URL, WebAssembly allowed, no inline code", async (t) => {
    for (const [url, id, script] of [["/notarize", "notarize", "notarize"], ["/check", "check", "check"]] as const) {
      for (const lang of ["en", "zh-CN"]) {
        const res = await h.app.inject({ method: "GET", url: `${url}?lang=${lang}` });
        t.equal(res.statusCode, 200, `${url} ${lang}`);
        t.match(res.body, new RegExp(`<html lang="${lang}">`));
        t.match(res.body, new RegExp(`id="${id}"`));
        t.match(res.body, new RegExp(`<script src="/assets/${script}\\.[0-9a-f]{16}\\.js" defer>`));
        t.notMatch(res.body, /<script>|style="/, "no inline script or style");
        t.match(res.headers["content-security-policy"], /script-src 'self' 'wasm-unsafe-eval';/);
      }
    }
    const scan = await scanPage(item.uri);
    t.notMatch(scan.headers["content-security-policy"], /wasm/, "other pages keep the strict policy");
  });

  await t.test("the receipt page: server status, download, and a missing id", async (t) => {
    const hash = createHash("sha256").update("evidence").digest("hex");
    const made = (await h.app.inject({ method: "POST", url: "/v1/public/records", payload: { kind: "consumer.file", contentHash: hash, mediaType: "image/jpeg", fileName: "chat.jpg", size: 1234 } })).json();
    const page = await h.app.inject({ method: "GET", url: `/r/${made.id}?lang=en` });
    t.equal(page.statusCode, 200);
    t.match(page.body, new RegExp(`id="receipt" data-record-id="${made.id}" data-status="accepted"`));
    t.match(page.body, /Received; waiting to be sealed into a batch\./);
    t.match(page.body, /chat\.jpg/);
    t.match(page.body, new RegExp(hash));
    const download = await h.app.inject({ method: "GET", url: `/r/${made.id}/receipt.json` });
    t.equal(download.statusCode, 200);
    t.match(download.headers["content-disposition"], /attachment; filename="tracemark-receipt-/);
    t.same(JSON.parse(download.body).record.envelope.contentHash, hash);
    const missing = await h.app.inject({ method: "GET", url: "/r/00000000-0000-4000-8000-000000000000?lang=en", headers: { accept: "text/html" } });
    t.equal(missing.statusCode, 404);
    t.match(missing.body, /No such receipt/, "a browser gets a page");
    const api = await h.app.inject({ method: "GET", url: "/r/00000000-0000-4000-8000-000000000000" });
    t.match(api.json().error, { code: "NOT_FOUND", field: "params.publicRecordId" }, "anything else the error shape");
  });
});
