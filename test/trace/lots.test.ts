import t from "tap";
import { yymmddToIsoDate } from "../../src/gs1/index.ts";
import { sha256Hex } from "../../src/merkle/index.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

t.test("lots: AI (10) lot numbers on percent-encoded Digital Links, GS1 or ISO dates, edits chained", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const shopA = await merchantWithPrefix(h, "Shop A", "952012");
  const shopB = await merchantWithPrefix(h, "Shop B", "952099");
  const gtin14 = `0${gtinUnder("952012", 10)}`;
  const call = (key: { token: string }, method: "GET" | "POST" | "PATCH", url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  await call(shopA, "POST", "/v1/products", { gtin: gtin14, name: "Green tea" });

  const lot = "2025/03-A+B";
  const lotUrl = `/v1/products/${gtin14}/lots/${encodeURIComponent(lot)}`;
  const certificate = { sha256: "b".repeat(64), name: "inspection.pdf", mediaType: "application/pdf" };
  const created = await call(shopA, "POST", `/v1/products/${gtin14}/lots`, { lot, productionDate: "250301", expiryDate: "2026-02-28", origin: "Anji, Zhejiang", certificates: [certificate] });
  t.equal(created.statusCode, 201, "registered");
  const first = created.json();

  t.test("the lot's subject percent-encodes the lot number, as URI Syntax 1.6 writes it", async (t) => {
    t.equal(first.lot.subject, `${PUBLIC_BASE_URL}/01/${gtin14}/10/2025%2F03-A%2BB`);
    t.equal(first.record.receipt.record.envelope.subject, first.lot.subject);
    t.equal(first.record.receipt.record.envelope.kind, "trace.lot");
    t.equal(first.record.receipt.record.envelope.prev, null);
    t.equal(first.lot.productSubject, `${PUBLIC_BASE_URL}/01/${gtin14}`);
  });

  t.test("a YYMMDD date is read as GS1 does, an ISO date as it is; the payload holds both as ISO dates", async (t) => {
    t.equal(first.lot.productionDate, "2025-03-01");
    t.equal(first.lot.expiryDate, "2026-02-28");
    const stored = await h.database.db.selectFrom("record_payloads").select("payload").where("record_id", "=", first.record.id).executeTakeFirstOrThrow();
    t.equal(sha256Hex(stored.payload), first.record.receipt.record.envelope.contentHash);
    t.same(JSON.parse(stored.payload), {
      type: "lot", gtin: gtin14, lot, product: `${PUBLIC_BASE_URL}/01/${gtin14}`, merchant: `urn:tracemark:merchant:${shopA.merchantId}`,
      productionDate: "2025-03-01", expiryDate: "2026-02-28", origin: "Anji, Zhejiang", certificates: [certificate],
    });
    t.equal(yymmddToIsoDate("260200", 2025), "2026-02-28", "DD 00 is the last day of the month (GS1 General Specifications §7.12)");
    t.equal(yymmddToIsoDate("240200", 2025), "2024-02-29");
    t.equal(yymmddToIsoDate("991231", 2025), "1999-12-31", "YY more than 50 years ahead is last century");
  });

  t.test("the lot reads by its percent-encoded number, for its owner, a mediator and the operator only", async (t) => {
    const read = await call(shopA, "GET", lotUrl);
    t.equal(read.statusCode, 200);
    t.equal(read.json().lot, lot);
    t.equal((await call(h.admin, "GET", lotUrl)).statusCode, 200);
    const foreign = await call(shopB, "GET", lotUrl);
    const missing = await call(shopB, "GET", `/v1/products/${gtin14}/lots/NOPE`);
    t.equal(foreign.statusCode, 404);
    t.same({ ...foreign.json().error, requestId: 0 }, { ...missing.json().error, requestId: 0 }, "another merchant: the 404 of a lot that does not exist");
    t.equal((await call(shopB, "POST", `/v1/products/${gtin14}/lots`, { lot: "B1" })).statusCode, 404, "and it cannot add lots to A's product");
    t.equal((await call(shopB, "PATCH", lotUrl, { origin: "elsewhere" })).statusCode, 404);
  });

  t.test("an edit chains to the previous record and keeps what it does not name", async (t) => {
    const edited = await call(shopA, "PATCH", lotUrl, { expiryDate: "270300", origin: null });
    t.equal(edited.statusCode, 200);
    const { lot: view, record } = edited.json();
    t.equal(record.receipt.record.envelope.prev, first.record.receipt.record.recordHash);
    t.equal(view.expiryDate, "2027-03-31", "DD 00 in AI (17): the month's last day");
    t.equal(view.productionDate, "2025-03-01");
    t.equal(view.origin, null);
    t.same(view.certificates, [certificate]);
    t.equal(view.version, 2);
    t.same(view.history.map((r: { prev: string | null }) => r.prev), [null, first.record.receipt.record.recordHash]);
  });

  t.test("every bad field is a 400 naming it", async (t) => {
    const cases: Array<[object, string, RegExp?]> = [
      [{ lot: "ä-lot" }, "body.lot", /character set 82/],
      [{ lot: "x".repeat(21) }, "body.lot"],
      [{ lot: "L1", productionDate: "251301" }, "body.productionDate", /no month 13/],
      [{ lot: "L1", productionDate: "250230" }, "body.productionDate", /no day 30/],
      [{ lot: "L1", expiryDate: "2026-02-30" }, "body.expiryDate", /not a calendar date/],
      [{ lot: "L1", productionDate: "2026-01-01", expiryDate: "2025-01-01" }, "body.expiryDate", /before the production date/],
      [{ lot: "L1", expiryDate: "26-01-01" }, "body.expiryDate"],
      [{ lot: "L1", origin: "a\u0000" }, "body.origin"],
    ];
    for (const [payload, field, message] of cases) {
      const res = await call(shopA, "POST", `/v1/products/${gtin14}/lots`, payload);
      t.equal(res.statusCode, 400, JSON.stringify(payload));
      t.equal(res.json().error.field, field, `names ${field}`);
      if (message) t.match(res.json().error.message, message);
    }
    t.equal((await call(shopA, "GET", `/v1/products/${gtin14}/lots/${encodeURIComponent("ä")}`)).json().error.field, "params.lot");
    const twice = await call(shopA, "POST", `/v1/products/${gtin14}/lots`, { lot });
    t.equal(twice.statusCode, 409);
    t.equal(twice.json().error.field, "body.lot");
  });
});
