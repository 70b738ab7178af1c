// Produces a disclosure document (docs/disclosure-v1.md) for chosen fields of one record of an
// order: its current receipt, its committed payload, and the chosen fields' stored disclosures.
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import { AppError, notFound } from "../../errors.ts";
import { DISCLOSURE_FORMAT, parseSdPayload, type DisclosureDocument, type Receipt } from "../../merkle/index.ts";
import { receiptOf } from "../../records/receipts.ts";
import { findRecords } from "../../records/repository.ts";
import { findOrder } from "../orders/orders.ts";

export async function discloseOrderRecord(db: Db, principal: Principal, orderId: string, recordId: string, names: readonly string[]): Promise<DisclosureDocument<Receipt>> {
  const order = await findOrder(db, principal, orderId);
  const [record] = await findRecords(db, [recordId]);
  if (!record || record.subject !== order.subject) throw notFound("record", "params.recordId");
  const stored = await db.selectFrom("record_payloads").select("payload").where("record_id", "=", record.id).executeTakeFirst();
  let payload;
  try {
    payload = stored ? parseSdPayload(JSON.parse(stored.payload)) : undefined;
  } catch {
    payload = undefined;
  }
  if (payload === undefined) {
    throw new AppError("UNPROCESSABLE", "params.recordId: this record is not committed field by field (a file, or its payload was purged): it has no disclosures", { field: "params.recordId" });
  }
  const rows = names.length === 0 ? [] : await db.selectFrom("record_disclosures").select(["name", "disclosure"]).where("record_id", "=", record.id).where("name", "in", [...names]).execute();
  const byName = new Map(rows.map((r) => [r.name, r.disclosure]));
  const disclosures = names.map((name, i) => {
    const disclosure = byName.get(name);
    if (disclosure === undefined) throw new AppError("UNPROCESSABLE", `body.fields[${i}]: the record has no disclosable field "${name}" (never committed, erased or purged)`, { field: `body.fields[${i}]` });
    return disclosure;
  });
  return { format: DISCLOSURE_FORMAT, receipt: receiptOf(record), payload, disclosures };
}
