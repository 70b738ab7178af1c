// What an order looks like to those who may read it: its row, its sold items, and every record of
// its chain with a receipt and the fields that can still be disclosed.
import type { Db } from "../../db/database.ts";
import type { OrderRow } from "../../db/orders.table.ts";
import { parseSdPayload, type Envelope } from "../../merkle/index.ts";
import { receiptOf } from "../../records/receipts.ts";
import { findRecords } from "../../records/repository.ts";

/** The committed digest count of each structured record (0 for files and plain JSON). */
async function digestCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom("record_payloads").select(["record_id", "payload"]).where("record_id", "in", ids).execute();
  const counts = new Map<string, number>();
  for (const row of rows) {
    try {
      counts.set(row.record_id, parseSdPayload(JSON.parse(row.payload))._sd.length);
    } catch {
      counts.set(row.record_id, 0);
    }
  }
  return counts;
}

export async function orderView(db: Db, order: OrderRow) {
  const ids = (await db.selectFrom("records").select("id").where("subject", "=", order.subject).orderBy("seq").execute()).map((r) => r.id);
  const [records, items, afterSales, disclosures, counts] = await Promise.all([
    findRecords(db, ids),
    db.selectFrom("order_items").selectAll().where("order_id", "=", order.id).orderBy("gtin").orderBy("serial").execute(),
    db.selectFrom("after_sales").selectAll().where("order_id", "=", order.id).orderBy("created_at").execute(),
    ids.length === 0 ? [] : db.selectFrom("record_disclosures").select(["record_id", "name", "personal"]).where("record_id", "in", ids).orderBy("name").execute(),
    digestCounts(db, ids),
  ]);
  return {
    id: order.id,
    merchantId: order.merchant_id,
    orderRef: order.order_ref,
    subject: order.subject,
    placedAt: order.placed_at.toISOString(),
    currency: order.currency,
    total: order.total,
    items: items.map((i) => ({ gtin: i.gtin, serial: i.serial, price: i.price, soldAt: i.sold_at.toISOString() })),
    erasedAt: order.erased_at?.toISOString() ?? null,
    afterSales: afterSales.map((a) => ({ id: a.id, type: a.type, status: a.status, requestRecordId: a.request_record_id })),
    records: records.map((record) => {
      const fields = disclosures.filter((d) => d.record_id === record.id).map((d) => ({ name: d.name, personal: d.personal }));
      const envelope = JSON.parse(record.envelope) as Envelope;
      return {
        id: record.id,
        kind: record.kind,
        recordHash: record.record_hash,
        submittedAt: envelope.submittedAt,
        fields,
        erasedFields: Math.max(0, (counts.get(record.id) ?? 0) - fields.length),
        receipt: receiptOf(record),
      };
    }),
  };
}

export async function listOrders(db: Db, scope: { merchantId: string | null }, query: { ref?: string | undefined; merchantId?: string | undefined; limit?: number | undefined }) {
  const merchantId = scope.merchantId ?? query.merchantId;
  const rows = await db
    .selectFrom("orders")
    .select(["id", "merchant_id", "order_ref", "placed_at", "total", "currency", "erased_at"])
    .$if(merchantId !== undefined, (q) => q.where("merchant_id", "=", merchantId!))
    .$if(query.ref !== undefined, (q) => q.where("order_ref", "=", query.ref!))
    .orderBy("created_at", "desc")
    .limit(query.limit ?? 50)
    .execute();
  return rows.map((r) => ({ id: r.id, merchantId: r.merchant_id, orderRef: r.order_ref, placedAt: r.placed_at.toISOString(), total: r.total, currency: r.currency, erased: r.erased_at !== null }));
}
