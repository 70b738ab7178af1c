// Scan counting, clone warnings and claims on PostgreSQL: scans reach the database only through
// the counter's flush, the page's numbers count its own view, each warning appears and goes when
// the history says so, and a claim is a record in the item's own chain.
import { randomBytes } from "node:crypto";
import t from "tap";
import { sql } from "kysely";
import { ScanCounter } from "../../src/scans/counter.ts";
import { deviceHasher } from "../../src/scans/device.ts";
import { scanSummary } from "../../src/scans/summary.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { itemsWithPins } from "../support/consumer.ts";
import { aggregationEvent, objectEvent, sscc } from "../support/epcis.ts";
import { PUBLIC_BASE_URL } from "../support/trace.ts";

const SALT = randomBytes(32).toString("hex");
const PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)";
const ANDROID = "Mozilla/5.0 (Linux; Android 14)";

t.test("scans, clone warnings and claims", async (t) => {
  const h = await buildTestApp({
    PUBLIC_BASE_URL,
    PIN_HMAC_KEY: randomBytes(32).toString("hex"),
    SCAN_DEVICE_SALT: SALT,
    CLONE_MAX_DEVICES: "3",
    CLAIM_MAX_FAILURES_PER_ITEM: "3",
    CLAIM_MAX_FAILURES_PER_CLIENT: "4",
  });
  t.teardown(h.close);
  const fx = await itemsWithPins(h, 4);
  const [sold, claimed, guessed, other] = fx.items as [typeof fx.items[0], typeof fx.items[0], typeof fx.items[0], typeof fx.items[0]];
  const db = h.database.db;
  const hasher = deviceHasher(Buffer.from(SALT, "hex"));
  const phone = hasher.device("203.0.113.10", PHONE);
  const android = hasher.device("198.51.100.20", ANDROID);
  const thresholds = { maxDevices: 3 };
  const rowsOf = async (subject: string) => db.selectFrom("scan_devices").selectAll().where("subject", "=", subject).orderBy("first_at").execute();

  await t.test("scans are counted in memory: nothing is written until the flush, and nothing twice after it", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 1_000 });
    t.teardown(() => counter.close());
    counter.record(sold.uri, phone, Date.parse("2026-11-20T01:00:00Z"));
    counter.record(sold.uri, phone, Date.parse("2026-11-20T01:05:00Z"));
    counter.record(sold.uri, android, Date.parse("2026-11-20T02:00:00Z"));
    t.same(await rowsOf(sold.uri), [], "no row before the flush");
    const before = await scanSummary(db, counter, thresholds, sold.uri, phone);
    t.match(before, { firstCheckedAt: "2026-11-20T01:00:00.000Z", checks: 3, devices: 2, claimedAt: null, claimedByThisDevice: false }, "the summary counts what is still in memory");
    await counter.flush();
    t.match(await rowsOf(sold.uri), [{ device: phone, checks: "2" }, { device: android, checks: "1" }], "one row per device after the flush");
    t.same(await scanSummary(db, counter, thresholds, sold.uri, phone), before, "the same numbers once written");
    counter.record(sold.uri, phone, Date.parse("2026-11-20T03:00:00Z"));
    t.match(await scanSummary(db, counter, thresholds, sold.uri, phone), { checks: 4, devices: 2 }, "a known device scanning again is one more check, not one more device");
    await counter.flush();
    t.match(await rowsOf(sold.uri), [{ device: phone, checks: "3" }, { device: android, checks: "1" }], "the flush adds to the rows");
  });

  await t.test("scans being flushed still count while the flush's statement runs, and once after it commits", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 60_000 });
    t.teardown(() => counter.close());
    const subject = `${sold.uri}?flushing`;
    counter.record(subject, phone, Date.parse("2026-11-21T01:00:00Z"));
    counter.record(subject, android, Date.parse("2026-11-21T01:01:00Z"));
    const flushing = counter.flush();
    t.match(await scanSummary(db, counter, thresholds, subject, phone), { checks: 2, devices: 2 }, "read while the flush is under way");
    await flushing;
    t.match(await scanSummary(db, counter, thresholds, subject, phone), { checks: 2, devices: 2 }, "read after it committed: not twice");
  });

  await t.test("the counter writes on its own within SCAN_FLUSH_MS, and what is left when it closes", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 200 });
    counter.record(other.uri, phone);
    const until = Date.now() + 2_000;
    while ((await rowsOf(other.uri)).length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    t.equal((await rowsOf(other.uri)).length, 1, "flushed by its timer");
    await counter.close();
    const closing = new ScanCounter(db, { flushMs: 1_000 });
    closing.record(other.uri, android);
    await closing.close();
    t.equal((await rowsOf(other.uri)).length, 2, "close() wrote the scan that was still in memory");
  });

  await t.test("a failed flush keeps its counts for the next one", async (t) => {
    const errors: unknown[] = [];
    const counter = new ScanCounter(db, { flushMs: 1_000, onFlushError: (e) => errors.push(e) });
    t.teardown(() => counter.close());
    await sql`alter table scan_devices add constraint scan_devices_test_block check (subject <> ${sql.lit(guessed.uri)})`.execute(db);
    counter.record(guessed.uri, phone);
    await counter.flush();
    t.equal(errors.length, 1, "the error was reported");
    t.same(await rowsOf(guessed.uri), []);
    await sql`alter table scan_devices drop constraint scan_devices_test_block`.execute(db);
    counter.record(guessed.uri, phone);
    await counter.flush();
    t.match(await rowsOf(guessed.uri), [{ device: phone, checks: "2" }], "both scans written by the next flush");
  });

  await t.test("not shipped or sold: warned until the history ships the item, directly or in its case", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 1_000 });
    t.teardown(() => counter.close());
    const codes = async (subject: string) => (await scanSummary(db, counter, thresholds, subject, phone)).warnings.map((w) => w.code);
    t.same(await codes(sold.uri), ["not-shipped-or-sold"], "registered only: a real one would still be with the merchant");
    await fx.capture([objectEvent({ eventTime: "2026-11-01T08:00:00.000+08:00", epcList: fx.items.map((i) => i.uri), action: "ADD", bizStep: "commissioning", disposition: "active" })]);
    t.same(await codes(sold.uri), ["not-shipped-or-sold"], "commissioning is not a sale");
    await fx.capture([objectEvent({ eventTime: "2026-11-02T08:00:00.000+08:00", epcList: [sold.uri], bizStep: "retail_selling", disposition: "retail_sold" })]);
    t.same(await codes(sold.uri), [], "sold: no warning");
    const caseEpc = sscc("9521234", "77");
    await fx.capture([
      aggregationEvent("ADD", caseEpc, [claimed.uri, guessed.uri], "2026-11-03T08:00:00.000+08:00", { bizStep: "packing" }),
      objectEvent({ eventTime: "2026-11-04T08:00:00.000+08:00", epcList: [caseEpc], bizStep: "shipping", disposition: "in_transit" }),
    ]);
    t.same(await codes(claimed.uri), [], "shipped inside its case");
    t.same(await codes(other.uri), ["not-shipped-or-sold"], "an item not in the case is not shipped by it");
    t.same((await scanSummary(db, counter, thresholds, other.uri, phone, { shippedOrSoldAt: new Date("2026-11-05T00:00:00Z") })).warnings, [], "a caller holding the history passes its date");
  });

  await t.test("an order's sale counts: no warning from the moment the order says it was sold", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 1_000 });
    t.teardown(() => counter.close());
    const shop = await itemsWithPins(h, 2, "9521235");
    const [ordered, unordered] = shop.items as [typeof shop.items[0], typeof shop.items[0]];
    const codes = async (subject: string, now?: Date) => (await scanSummary(db, counter, thresholds, subject, phone, now ? { now } : {})).warnings.map((w) => w.code);
    t.same(await codes(ordered.uri), ["not-shipped-or-sold"], "before the order");
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/orders",
      headers: bearer(shop.merchant),
      payload: { orderRef: "CLONE-1", placedAt: "2026-11-10T12:00:00Z", currency: "CNY", total: "99.00", items: [{ gtin: shop.gtin, serial: ordered.serial, price: "99.00" }] },
    });
    t.equal(res.statusCode, 201, res.body);
    t.same(await codes(ordered.uri), [], "sold by the order: no warning, without any EPCIS event");
    t.same(await codes(ordered.uri, new Date("2026-11-09T00:00:00Z")), ["not-shipped-or-sold"], "a scan before the order's sale is still warned");
    t.same(await codes(unordered.uri), ["not-shipped-or-sold"], "another serial of the same product is not sold by it");
    t.same(await codes(ordered.uri.replace(/\/21\/[^/?]+/, "")), ["not-shipped-or-sold"], "a subject without a serial reads no order");
  });

  await t.test("more devices than CLONE_MAX_DEVICES warns", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 1_000 });
    t.teardown(() => counter.close());
    for (const n of [1, 2, 3]) counter.record(sold.uri, hasher.device(`192.0.${n}.1`, PHONE));
    const summary = await scanSummary(db, counter, thresholds, sold.uri, phone);
    t.equal(summary.devices, 5, "phone and android before, three new ones");
    t.same(summary.warnings, [{ code: "many-devices", devices: 5, maxDevices: 3 }]);
  });

  const claim = (uri: string, pin: string, remoteAddress = "203.0.113.10", ua = PHONE) =>
    h.app.inject({ method: "POST", url: "/v1/public/claims", remoteAddress, headers: { "user-agent": ua }, payload: { uri, pin } });

  await t.test("claiming with the scratch PIN: a wrong PIN is a 422, the right one a record in the item's chain, a second claim a 409", async (t) => {
    const wrong = await claim(claimed.uri, "WRONG123");
    t.equal(wrong.statusCode, 422);
    t.match(wrong.json().error, { code: "UNPROCESSABLE", field: "body.pin" });
    const headBefore = (await db.selectFrom("subjects").select("head_record_hash").where("subject", "=", claimed.uri).executeTakeFirstOrThrow()).head_record_hash;

    const right = await claim(claimed.uri, ` ${claimed.pin.slice(0, 4).toLowerCase()}-${claimed.pin.slice(4)} `);
    t.equal(right.statusCode, 201, right.body);
    const body = right.json();
    t.equal(body.subject, claimed.uri);
    const envelope = body.receipt.record.envelope;
    t.match(envelope, { kind: "trace.claim", subject: claimed.uri, prev: headBefore, submitter: `merchant:${fx.merchant.merchantId}` }, "appended to the item's chain, after its head");
    const payload = await db.selectFrom("record_payloads").select("payload").where("record_id", "=", body.recordId).executeTakeFirstOrThrow();
    t.same(Object.keys(JSON.parse(payload.payload)).sort(), ["claimedAt", "item", "method", "type"], "no personal data: which item, how, when");
    t.notMatch(payload.payload, /203\.0\.113|iPhone|[0-9a-f]{32}/, "neither address, user agent nor device id");
    const head = await db.selectFrom("subjects").select("head_record_hash").where("subject", "=", claimed.uri).executeTakeFirstOrThrow();
    t.equal(head.head_record_hash, body.receipt.record.recordHash, "the claim is the item's new head");

    const trace = (await h.app.inject({ method: "GET", url: `/v1/trace?uri=${encodeURIComponent(claimed.uri)}` })).json();
    t.ok(trace.timeline.some((e: { kind: string; recordId: string }) => e.kind === "trace.claim" && e.recordId === body.recordId), "the public history shows the claim");

    const again = await claim(claimed.uri, claimed.pin, "198.51.100.20", ANDROID);
    t.equal(again.statusCode, 409);
    t.match(again.json().error, { code: "CONFLICT", field: "body.uri" });
  });

  await t.test("after a claim, other devices are warned, and the claimer is told they scanned", async (t) => {
    const counter = new ScanCounter(db, { flushMs: 1_000 });
    t.teardown(() => counter.close());
    const mine = await scanSummary(db, counter, thresholds, claimed.uri, phone);
    t.match(mine, { claimedByThisDevice: true, warnings: [] });
    t.type(mine.claimedAt, "string");
    counter.record(claimed.uri, android);
    const theirs = await scanSummary(db, counter, thresholds, claimed.uri, android);
    t.same(theirs.warnings, [{ code: "claimed-elsewhere", claimedAt: mine.claimedAt }], "another device: it may be a copy");
    t.equal(theirs.claimedByThisDevice, false);
    await counter.flush();
    t.same((await scanSummary(db, counter, thresholds, claimed.uri, phone)).warnings, [{ code: "checked-since-claim", devices: 1, claimedAt: mine.claimedAt }], "the claimer learns another device checked it");
  });

  await t.test("wrong PINs are limited per item and per client: a 429 with Retry-After that says which", async (t) => {
    for (let i = 0; i < 3; i++) t.equal((await claim(guessed.uri, `BAD${i}`, "192.0.2.1")).statusCode, 422);
    const paused = await claim(guessed.uri, guessed.pin, "192.0.2.99");
    t.equal(paused.statusCode, 429, "even the right PIN, from another client: the item is paused");
    t.match(paused.json().error, { code: "RATE_LIMITED", field: "body.pin", message: /too many wrong PINs for this item/ });
    t.ok(Number(paused.headers["retry-after"]) > 3000 && Number(paused.headers["retry-after"]) <= 3600, `Retry-After ${paused.headers["retry-after"]} s: when the oldest failure leaves the hour`);

    // Under each item's limit (2 of 3 each), but 4 from one client: its next try is refused.
    const client = "203.0.113.50";
    for (const item of [other, sold]) for (let i = 0; i < 2; i++) t.equal((await claim(item.uri, `BAD${i}`, client)).statusCode, 422);
    const limited = await claim(sold.uri, sold.pin, client);
    t.equal(limited.statusCode, 429);
    t.match(limited.json().error, { code: "RATE_LIMITED", field: "body.pin", message: /too many wrong PINs from your network address/ });
    t.ok(Number(limited.headers["retry-after"]) > 3000, "Retry-After");
    t.equal((await claim(sold.uri, sold.pin, "203.0.113.60")).statusCode, 201, "another client with the right PIN claims it");
    t.equal(await db.selectFrom("claim_failures").select(db.fn.countAll().as("n")).where("client", "like", "%.%").executeTakeFirst().then((r) => Number(r?.n)), 0, "no raw address is stored");
  });

  await t.test("a claim names what was wrong: not an item, an unknown item, an item without a PIN", async (t) => {
    const lot = await claim(`${PUBLIC_BASE_URL}${fx.lotSubjectPath}`, "X");
    t.equal(lot.statusCode, 422);
    t.match(lot.json().error, { field: "body.uri", message: /serialised item/ });
    const unknown = await claim(`${PUBLIC_BASE_URL}/01/0${fx.gtin}/21/NOSUCHSERIAL`, "X");
    t.equal(unknown.statusCode, 404);
    t.match(unknown.json().error, { field: "body.uri" });
    const garbage = await claim("not a uri", "X");
    t.equal(garbage.statusCode, 400);
    t.match(garbage.json().error, { field: "body.uri" });
  });
});
