// Retention with a shortened period (EVIDENCE_RETENTION_DAYS=1): the purge removes the evidence of
// orders whose newest record is older than the period, and leaves every other order untouched.
import t from "tap";
import { sql } from "kysely";
import { purgeExpiredEvidence } from "../../src/evidence/erasure/retention.ts";
import { recordHash, type Envelope } from "../../src/merkle/index.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";

t.test("the purge deletes what has expired and never touches what has not", async (t) => {
  const h = await buildTestApp({ EVIDENCE_RETENTION_DAYS: "1" });
  t.teardown(h.close);
  t.equal(h.config.EVIDENCE_RETENTION_DAYS, 1);
  const shop = await merchantWithPrefix(h, "Retention Shop", "6905670");
  const post = (url: string, payload: object) => h.app.inject({ method: "POST", url, headers: bearer(shop), payload });
  const gtin = gtinUnder("6905670", 1);
  await post("/v1/products", { gtin, name: "Tea" });
  await post(`/v1/products/${gtin}/lots`, { lot: "R1" });
  const job = (await post(`/v1/products/${gtin}/lots/R1/items`, { count: 3 })).json();
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 20))) {
    status = (await h.app.inject({ method: "GET", url: job.links.self, headers: bearer(shop) })).json().status;
  }
  const serials = (await h.database.db.selectFrom("items").select("serial").where("job_id", "=", job.id).orderBy("job_index").execute()).map((r) => r.serial);
  const order = async (ref: string, serial: string) => {
    const res = await post("/v1/orders", { orderRef: ref, placedAt: "2026-01-01T00:00:00Z", currency: "CNY", total: "10.00", items: [{ gtin, serial, price: "10.00" }], buyer: { id: `buyer-${ref}` } });
    t.equal(res.statusCode, 201, res.body);
    const { orderId } = res.json();
    t.equal((await post(`/v1/orders/${orderId}/payments`, { amount: "10.00", currency: "CNY", method: "card", reference: ref, paidAt: "2026-01-01T00:01:00Z" })).statusCode, 201);
    return orderId as string;
  };
  const expired = await order("OLD", serials[0]!);
  const justInside = await order("EDGE", serials[1]!);
  const fresh = await order("NEW", serials[2]!);
  const db = h.database.db;
  // Time passes: the old order's newest record is two days old, the edge one's a day less a minute.
  await db.updateTable("orders").set({ last_record_at: sql<Date>`now() - interval '2 days'` }).where("id", "=", expired).execute();
  await db.updateTable("orders").set({ last_record_at: sql<Date>`now() - interval '1 day' + interval '1 minute'` }).where("id", "=", justInside).execute();

  const subjectOf = async (id: string) => (await db.selectFrom("records").select("subject").where("id", "=", (await db.selectFrom("orders").select("record_id").where("id", "=", id).executeTakeFirstOrThrow()).record_id).executeTakeFirstOrThrow()).subject;
  const oldSubject = await subjectOf(expired);
  const kept = async (subject: string) => {
    const ids = (await db.selectFrom("records").select("id").where("subject", "=", subject).execute()).map((r) => r.id);
    const count = async (table: "record_payloads" | "record_disclosures") => Number((await db.selectFrom(table).select(db.fn.countAll().as("n")).where("record_id", "in", ids).executeTakeFirstOrThrow()).n);
    return { records: ids.length, payloads: await count("record_payloads"), disclosures: await count("record_disclosures") };
  };
  const before = { edge: await kept(await subjectOf(justInside)), fresh: await kept(await subjectOf(fresh)) };
  t.same(await kept(oldSubject), { records: 2, payloads: 2, disclosures: 11 }, "the old order's evidence, before");

  t.same(await purgeExpiredEvidence(db, h.config.EVIDENCE_RETENTION_DAYS), { orders: 1, records: 2 }, "one order purged");
  t.same(await kept(oldSubject), { records: 2, payloads: 0, disclosures: 0 }, "its payloads and disclosures are gone; its records stay");
  t.equal((await h.app.inject({ method: "GET", url: `/v1/orders/${expired}`, headers: bearer(shop) })).statusCode, 404, "the order is gone");
  t.notOk(await db.selectFrom("order_items").select("serial").where("serial", "=", serials[0]!).executeTakeFirst(), "and its sold mark");
  for (const row of await db.selectFrom("records").select(["envelope", "record_hash"]).where("subject", "=", oldSubject).execute()) {
    t.equal(recordHash(JSON.parse(row.envelope) as Envelope), row.record_hash, "a purged order's record still hashes to its recordHash: its receipts verify");
  }
  t.same({ edge: await kept(await subjectOf(justInside)), fresh: await kept(await subjectOf(fresh)) }, before, "orders inside the period are untouched");
  for (const id of [justInside, fresh]) t.equal((await h.app.inject({ method: "GET", url: `/v1/orders/${id}`, headers: bearer(shop) })).statusCode, 200);
  t.same(await purgeExpiredEvidence(db, h.config.EVIDENCE_RETENTION_DAYS), { orders: 0, records: 0 }, "a second run finds nothing");
  t.same(await purgeExpiredEvidence(db, 1095), { orders: 0, records: 0 }, "the default three years keeps everything");
});
