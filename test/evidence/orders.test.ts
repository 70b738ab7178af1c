// Orders, their chain of private records, disclosure and erasure, through the HTTP API of the
// real app (PostgreSQL in CI, the in-process chain), sealed by the real pipeline.
import t, { type Test } from "tap";
import { createHash } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { verifyDisclosureOffline, verifyReceiptOffline } from "../../src/merkle/index.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { bearer, buildTestApp, type TestApp } from "../support/app.ts";
import { silentLog } from "../support/pipeline.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

async function itemsOf(t: Test, h: TestApp, key: { token: string }, prefix: string, count: number): Promise<{ gtin: string; serials: string[] }> {
  const gtin = gtinUnder(prefix, 1);
  const post = (url: string, payload: object) => h.app.inject({ method: "POST", url, headers: bearer(key), payload });
  t.equal((await post("/v1/products", { gtin, name: "Silk scarf" })).statusCode, 201);
  t.equal((await post(`/v1/products/${gtin}/lots`, { lot: "L1" })).statusCode, 201);
  const job = (await post(`/v1/products/${gtin}/lots/L1/items`, { count })).json();
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 20))) {
    status = (await h.app.inject({ method: "GET", url: job.links.self, headers: bearer(key) })).json().status;
  }
  const rows = await h.database.db.selectFrom("items").select("serial").where("job_id", "=", job.id).orderBy("job_index").execute();
  return { gtin, serials: rows.map((r) => r.serial) };
}

async function sealed(app: FastifyInstance, key: { token: string }, orderId: string) {
  for (const until = Date.now() + 30_000; Date.now() < until; ) {
    const view = (await app.inject({ method: "GET", url: `/v1/orders/${orderId}`, headers: bearer(key) })).json();
    if (view.records.every((r: { receipt: { inclusion: unknown } }) => r.receipt.inclusion !== null)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the order's records were not sealed within 30 s");
}

t.test("an order's chain: items sold, fields disclosed one by one, the buyer erased while every receipt still verifies", async (t) => {
  const h = await buildTestApp({ BATCH_INTERVAL_MS: "100" });
  t.teardown(h.close);
  const pipeline = startPipeline(h.config, h.database, h.chain, silentLog);
  t.teardown(() => pipeline.stop());
  const shop = await merchantWithPrefix(h, "Silk Road Live", "6905678");
  const other = await merchantWithPrefix(h, "Other Shop", "6905679");
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "platform disputes" });
  const { gtin, serials } = await itemsOf(t, h, shop, "6905678", 3);
  const post = (url: string, payload: object, key: { token: string } = shop) => h.app.inject({ method: "POST", url, headers: bearer(key), payload });

  const order = {
    orderRef: "DY-20261111-0042",
    placedAt: "2026-11-11T20:03:05+08:00",
    currency: "CNY",
    total: "398.00",
    items: [{ gtin, serial: serials[0], price: "199.00" }, { gtin, serial: serials[1], price: "199.00" }],
    buyer: { id: "douyin:7781203344", phone: "+86 138 0013 8000" },
  };
  const created = await post("/v1/orders", order);
  t.equal(created.statusCode, 201, created.body);
  const { orderId } = created.json();
  t.equal((await post("/v1/orders", order)).statusCode, 409, "the same order reference twice is a conflict");
  const again = await post("/v1/orders", { ...order, orderRef: "DY-2", items: [{ gtin, serial: serials[1], price: "1.00" }] });
  t.equal(again.statusCode, 409, "an item sold already");
  t.equal(again.json().error.field, "body.items[0].serial");
  const foreign = await post("/v1/orders", { ...order, orderRef: "DY-3", items: [{ gtin, serial: serials[2], price: "1.00" }] }, other);
  t.equal(foreign.statusCode, 422, "another merchant's item");

  const sold = await h.database.db.selectFrom("order_items").select(["serial", "sold_at"]).where("gtin", "=", `0${gtin}`).orderBy("serial").execute();
  t.same(sold.map((r) => r.serial).sort(), [serials[0], serials[1]].sort(), "both items are marked sold");
  t.equal(sold[0]!.sold_at.toISOString(), "2026-11-11T12:03:05.000Z");

  t.equal((await post(`/v1/orders/${orderId}/payments`, { amount: "398.00", currency: "CNY", method: "alipay", reference: "2026111122001", paidAt: "2026-11-11T12:04:00Z", payer: { account: "buyer@alipay" } })).statusCode, 201);
  const chat = await post(`/v1/orders/${orderId}/chats`, { file: { sha256: sha("chat export"), mediaType: "text/plain", name: "chat.txt" } });
  t.equal(chat.statusCode, 201, chat.body);
  t.equal(chat.json().record.receipt.record.envelope.contentHash, sha("chat export"), "a chat file is committed by its raw SHA-256");
  t.equal((await post(`/v1/orders/${orderId}/files`, { purpose: "screenshot", file: { sha256: sha("png"), mediaType: "image/png" } })).statusCode, 201);
  const request = await post(`/v1/orders/${orderId}/after-sales`, { type: "refund", reason: "not silk", requestedAt: "2026-11-15T10:00:00Z", items: [{ gtin, serial: serials[0] }], evidence: [{ sha256: sha("photo"), mediaType: "image/jpeg" }] });
  t.equal(request.statusCode, 201, request.body);
  const { afterSalesId } = request.json();
  t.equal((await post(`/v1/orders/${orderId}/after-sales/${afterSalesId}/updates`, { step: "resolution", text: "refunded in full", at: "2026-11-16T10:00:00Z", outcome: "refunded" })).statusCode, 201);
  t.equal((await post(`/v1/orders/${orderId}/payments`, { amount: "1.00", currency: "CNY", method: "x", reference: "y", paidAt: "2026-11-11T12:04:00Z" }, other)).statusCode, 404, "another merchant's order does not exist");

  const view = await sealed(h.app, shop, orderId);
  t.same(view.records.map((r: { kind: string }) => r.kind), ["evidence.order", "evidence.payment", "evidence.chat", "evidence.order-file.screenshot", "evidence.after-sales", "evidence.after-sales-update"]);
  for (const [i, r] of view.records.entries()) {
    t.equal(r.receipt.record.envelope.prev, i === 0 ? null : view.records[i - 1].recordHash, `${r.kind} is chained to the one before`);
    t.equal(verifyReceiptOffline(r.receipt).status, "valid");
  }
  const orderRecord = view.records[0];
  t.notMatch(JSON.stringify(orderRecord.receipt), /7781203344/, "the buyer is nowhere in the receipt");
  const stored = await h.database.db.selectFrom("record_payloads").select("payload").where("record_id", "=", orderRecord.id).executeTakeFirstOrThrow();
  t.notMatch(stored.payload, /7781203344/, "nor in the stored payload");

  const disclose = (fields: string[], key: { token: string } = shop) => post(`/v1/orders/${orderId}/records/${orderRecord.id}/disclosure`, { fields }, key);
  const doc = (await disclose(["total", "items"], mediator)).json();
  const report = verifyDisclosureOffline(doc);
  t.equal(report.status, "valid", report.summary);
  t.same(report.disclosure?.disclosed.map((d) => d.name), ["total", "items"]);
  t.equal(report.disclosure?.hidden, 4, "orderRef, placedAt, currency and buyer stay hidden");
  t.notMatch(JSON.stringify(doc), /7781203344/);
  t.equal((await disclose(["nope"])).statusCode, 422);

  // Erasure: the operator's; a merchant may not.
  t.equal((await post(`/v1/orders/${orderId}/erasure`, { reason: "DSR-1" })).statusCode, 403);
  const erased = await post(`/v1/orders/${orderId}/erasure`, { reason: "data subject request DSR-2026-17" }, h.admin);
  t.equal(erased.statusCode, 200, erased.body);
  t.same(erased.json().erased.map((e: { fields: string[] }) => e.fields), [["buyer"], ["payer"]]);
  const buyerLeft = await h.database.db.selectFrom("record_disclosures").select("name").where("disclosure", "like", "%").where("record_id", "=", orderRecord.id).execute();
  t.notOk(buyerLeft.some((r) => r.name === "buyer"), "the buyer's disclosure (value and salt) is gone");
  t.equal((await disclose(["buyer"])).statusCode, 422, "an erased field cannot be disclosed");
  const after = await sealed(h.app, shop, orderId);
  t.equal(after.records.length, 7, "the erasure is a record on the chain");
  t.equal(after.records[6].kind, "evidence.erasure");
  t.equal(after.records[0].erasedFields, 1);
  for (const r of after.records) t.equal(verifyReceiptOffline(r.receipt).status, "valid", `${r.kind} still verifies`);
  t.equal(verifyDisclosureOffline((await disclose(["total", "items"])).json()).status, "valid", "the other fields still disclose");
});
