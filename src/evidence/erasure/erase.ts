// Erasure of a person's data (issue 10 item 6), by the operator for a data subject request: the
// disclosures of the order's personal fields (their values and salts) are deleted; their digests
// stay in the records' payloads, so every receipt still verifies, the other fields can still be
// disclosed, and the erased values cannot be recovered (docs/disclosure-v1.md "Erasure"). The
// erasure is itself a record on the order's chain, naming what was erased, never the values.
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import { acceptedReceipt } from "../../records/receipts.ts";
import { findOrder, type Written } from "../orders/orders.ts";
import { ORDER_KINDS, writeOrderRecord } from "../orders/write.ts";

export interface ErasureResult extends Written {
  erased: { recordId: string; recordHash: string; fields: string[] }[];
}

export async function eraseOrderPersonalData(db: Db, principal: Principal, orderId: string, reason: string): Promise<ErasureResult> {
  return db.transaction().execute(async (tx) => {
    const order = await findOrder(tx, principal, orderId, { forUpdate: true });
    const deleted = await tx
      .deleteFrom("record_disclosures")
      .where("personal", "=", true)
      .where("record_id", "in", (eb) => eb.selectFrom("records").select("id").where("subject", "=", order.subject))
      .returning(["record_id", "name"])
      .execute();
    const hashes = new Map(
      deleted.length === 0
        ? []
        : (await tx.selectFrom("records").select(["id", "record_hash"]).where("id", "in", [...new Set(deleted.map((d) => d.record_id))]).execute()).map((r) => [r.id, r.record_hash]),
    );
    const erased = [...hashes.entries()].map(([recordId, recordHash]) => ({
      recordId,
      recordHash,
      fields: deleted.filter((d) => d.record_id === recordId).map((d) => d.name).sort(),
    }));
    const written = await writeOrderRecord(tx, principal, { merchantId: order.merchant_id, keyId: null }, order.subject, ORDER_KINDS.erasure, {
      shape: "json",
      payload: { type: "erasure", reason, erased: erased.map((e) => ({ record: e.recordHash, fields: e.fields })) },
    });
    await tx.updateTable("orders").set({ erased_at: new Date() }).where("id", "=", order.id).execute();
    return { orderId: order.id, record: { id: written.id, kind: ORDER_KINDS.erasure, receipt: acceptedReceipt(written) }, erased };
  });
}
