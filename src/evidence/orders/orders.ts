// Orders and what follows them (issue 10 item 3): the order, its payments, chats, files and
// after-sales requests, each a private record on the order's chain, committed field by field
// (docs/disclosure-v1.md) where it is structured. The buyer is never a column and never in clear
// in a record: only a disclosable, erasable field of the order record.
import { randomUUID } from "node:crypto";
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import type { OrderRow } from "../../db/orders.table.ts";
import { AppError, notFound } from "../../errors.ts";
import type { JsonValue } from "../../merkle/index.ts";
import type { AfterSalesInputT, AfterSalesUpdateInputT, ChatInputT, OrderFileInputT, OrderInputT, PaymentInputT } from "../../schemas/orders.ts";
import { gtin14Of } from "../../trace/gs1-input.ts";
import type { Tx } from "../../trace/domain-write.ts";
import { ORDER_KINDS, orderSubject, writeOrderRecord, type OrderRecordContent } from "./write.ts";
import { acceptedReceipt } from "../../records/receipts.ts";
import type { Receipt } from "../../merkle/index.ts";

export interface Written {
  orderId: string;
  record: { id: string; kind: string; receipt: Receipt };
  afterSalesId?: string;
}

/** RFC 3339 in, UTC "Z" out: what a record says is unambiguous. */
const utc = (moment: string) => new Date(moment).toISOString();

/** Drops absent members: a record commits only to what was given. */
function present(fields: { [name: string]: JsonValue | undefined }): { [name: string]: JsonValue } {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as { [name: string]: JsonValue };
}

function merchantOf(principal: Principal): string {
  if (principal.merchantId === null) throw new AppError("FORBIDDEN", "orders are written with a merchant's key");
  return principal.merchantId;
}

/**
 * The order, if the principal may see it: its merchant, mediators and the operator. Anyone else
 * gets the 404 of an order that does not exist.
 */
export async function findOrder(db: Db | Tx, principal: Principal, orderId: string, options: { forUpdate?: boolean } = {}): Promise<OrderRow> {
  const row = await db
    .selectFrom("orders")
    .selectAll()
    .where("id", "=", orderId)
    .$if(principal.role === "merchant", (q) => q.where("merchant_id", "=", principal.merchantId ?? "00000000-0000-0000-0000-000000000000"))
    .$if(options.forUpdate === true, (q) => q.forUpdate())
    .executeTakeFirst();
  if (!row) throw notFound("order", "params.orderId");
  return row;
}

async function append(tx: Tx, principal: Principal, order: OrderRow, kind: string, content: OrderRecordContent): Promise<Written> {
  const written = await writeOrderRecord(tx, principal, { merchantId: order.merchant_id, keyId: null }, order.subject, kind, content);
  return { orderId: order.id, record: { id: written.id, kind, receipt: acceptedReceipt(written) } };
}

export async function createOrder(db: Db, principal: Principal, input: OrderInputT): Promise<Written> {
  const merchantId = merchantOf(principal);
  const items = input.items.map((item, i) => ({ gtin: gtin14Of(item.gtin, `body.items[${i}].gtin`), serial: item.serial, price: item.price }));
  return db.transaction().execute(async (tx) => {
    const existing = await tx.selectFrom("orders").select("id").where("merchant_id", "=", merchantId).where("order_ref", "=", input.orderRef).executeTakeFirst();
    if (existing) throw new AppError("CONFLICT", `body.orderRef: order ${input.orderRef} is already recorded (${existing.id}); add payments, chats or after-sales to it`, { field: "body.orderRef" });
    // Every item must be one of the merchant's registered serialised items, sold only once.
    for (const [i, item] of items.entries()) {
      const found = await tx
        .selectFrom("items")
        .leftJoin("order_items", (j) => j.onRef("order_items.gtin", "=", "items.gtin").onRef("order_items.serial", "=", "items.serial"))
        .select(["items.merchant_id", "order_items.order_id"])
        .where("items.gtin", "=", item.gtin)
        .where("items.serial", "=", item.serial)
        .forUpdate("items")
        .executeTakeFirst();
      if (!found || found.merchant_id !== merchantId) throw new AppError("UNPROCESSABLE", `body.items[${i}].serial: no item ${item.gtin}/${item.serial} of yours is registered`, { field: `body.items[${i}].serial` });
      if (found.order_id !== null) throw new AppError("CONFLICT", `body.items[${i}].serial: the item ${item.gtin}/${item.serial} is already sold in another order`, { field: `body.items[${i}].serial` });
    }
    if (new Set(items.map((i) => `${i.gtin}/${i.serial}`)).size !== items.length) throw new AppError("VALIDATION_FAILED", "body.items lists one item twice", { field: "body.items" });
    const subject = orderSubject(merchantId, input.orderRef);
    const id = randomUUID();
    const fields = present({
      orderRef: input.orderRef,
      placedAt: utc(input.placedAt),
      currency: input.currency,
      total: input.total,
      items: items.map((item) => ({ gtin: item.gtin, serial: item.serial, price: item.price })),
      buyer: input.buyer === undefined ? undefined : present({ ...input.buyer }),
      channel: input.channel,
    });
    // The order row first (the record's write moves its last_record_at), pointing at the record it gets.
    const written = await writeOrderRecord(tx, principal, { merchantId, keyId: null }, subject, ORDER_KINDS.order, { shape: "fields", fields, personal: ["buyer"] });
    await tx
      .insertInto("orders")
      .values({ id, merchant_id: merchantId, order_ref: input.orderRef, subject, placed_at: new Date(input.placedAt), currency: input.currency, total: input.total, record_id: written.id })
      .execute();
    const soldAt = new Date(input.placedAt);
    await tx.insertInto("order_items").values(items.map((item) => ({ order_id: id, gtin: item.gtin, serial: item.serial, price: item.price, sold_at: soldAt }))).execute();
    return { orderId: id, record: { id: written.id, kind: ORDER_KINDS.order, receipt: acceptedReceipt(written) } };
  });
}

/** Runs `write` in a transaction holding the order's row lock (404 when the principal cannot see the order). */
async function onOrder(db: Db, principal: Principal, orderId: string, write: (tx: Tx, order: OrderRow) => Promise<Written>): Promise<Written> {
  return db.transaction().execute(async (tx) => write(tx, await findOrder(tx, principal, orderId, { forUpdate: true })));
}

export function addPayment(db: Db, principal: Principal, orderId: string, input: PaymentInputT): Promise<Written> {
  return onOrder(db, principal, orderId, (tx, order) =>
    append(tx, principal, order, ORDER_KINDS.payment, {
      shape: "fields",
      fields: present({ amount: input.amount, currency: input.currency, method: input.method, reference: input.reference, paidAt: utc(input.paidAt), payer: input.payer }),
      personal: ["payer"],
    }),
  );
}

export function addChat(db: Db, principal: Principal, orderId: string, input: ChatInputT): Promise<Written> {
  return onOrder(db, principal, orderId, (tx, order) => {
    if ("file" in input) return append(tx, principal, order, ORDER_KINDS.chat, { shape: "file", sha256: input.file.sha256, mediaType: input.file.mediaType });
    const messages = input.messages.map((m) => ({ from: m.from, at: utc(m.at), text: m.text }));
    // What the buyer wrote is theirs: erasable like their identity.
    return append(tx, principal, order, ORDER_KINDS.chat, { shape: "fields", fields: { messages }, personal: ["messages"] });
  });
}

export function addFile(db: Db, principal: Principal, orderId: string, input: OrderFileInputT): Promise<Written> {
  return onOrder(db, principal, orderId, (tx, order) => append(tx, principal, order, `${ORDER_KINDS.file}.${input.purpose}`, { shape: "file", sha256: input.file.sha256, mediaType: input.file.mediaType }));
}

const fileRefs = (files: AfterSalesInputT["evidence"]) => files?.map((f) => present({ sha256: f.sha256, mediaType: f.mediaType, name: f.name }));

export function openAfterSales(db: Db, principal: Principal, orderId: string, input: AfterSalesInputT): Promise<Written> {
  return onOrder(db, principal, orderId, async (tx, order) => {
    const items = input.items?.map((item, i) => ({ gtin: gtin14Of(item.gtin, `body.items[${i}].gtin`), serial: item.serial }));
    if (items) {
      const sold = new Set((await tx.selectFrom("order_items").select(["gtin", "serial"]).where("order_id", "=", order.id).execute()).map((r) => `${r.gtin}/${r.serial}`));
      items.forEach((item, i) => {
        if (!sold.has(`${item.gtin}/${item.serial}`)) throw new AppError("UNPROCESSABLE", `body.items[${i}]: the item is not part of this order`, { field: `body.items[${i}].serial` });
      });
    }
    const written = await append(tx, principal, order, ORDER_KINDS.afterSales, {
      shape: "fields",
      fields: present({ type: input.type, reason: input.reason, requestedAt: utc(input.requestedAt), items, evidence: fileRefs(input.evidence) }),
    });
    const id = randomUUID();
    await tx.insertInto("after_sales").values({ id, order_id: order.id, type: input.type, status: "requested", request_record_id: written.record.id }).execute();
    return { ...written, afterSalesId: id };
  });
}

export function updateAfterSales(db: Db, principal: Principal, orderId: string, afterSalesId: string, input: AfterSalesUpdateInputT): Promise<Written> {
  return onOrder(db, principal, orderId, async (tx, order) => {
    const request = await tx.selectFrom("after_sales").select(["id", "request_record_id", "status"]).where("id", "=", afterSalesId).where("order_id", "=", order.id).forUpdate().executeTakeFirst();
    if (!request) throw notFound("after-sales request", "params.afterSalesId");
    if (request.status === "resolved") throw new AppError("CONFLICT", "params.afterSalesId: the request is resolved already", { field: "params.afterSalesId" });
    const requestHash = (await tx.selectFrom("records").select("record_hash").where("id", "=", request.request_record_id).executeTakeFirstOrThrow()).record_hash;
    const written = await append(tx, principal, order, ORDER_KINDS.afterSalesUpdate, {
      shape: "fields",
      fields: present({ request: requestHash, step: input.step, text: input.text, at: utc(input.at), outcome: input.outcome, evidence: fileRefs(input.evidence) }),
    });
    await tx.updateTable("after_sales").set({ status: input.step === "resolution" ? "resolved" : "answered", updated_at: new Date() }).where("id", "=", request.id).execute();
    return { ...written, afterSalesId: request.id };
  });
}
