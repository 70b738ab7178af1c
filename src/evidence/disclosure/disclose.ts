// Disclosure documents (docs/disclosure-v1.md) of records committed field by field: a record's
// current receipt, its committed payload, and the stored disclosures of chosen fields. Made for a
// party who asks for some fields (discloseOrderRecord) and, with every field the service still
// holds, for a case's evidence bundle (src/bundle/collect.ts).
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import { AppError, notFound } from "../../errors.ts";
import { DISCLOSURE_FORMAT, parseSdPayload, type DisclosureDocument, type Receipt, type SdPayload } from "../../merkle/index.ts";
import { receiptOf } from "../../records/receipts.ts";
import { findRecords } from "../../records/repository.ts";
import { findOrder } from "../orders/orders.ts";

/** The committed payload of a stored payload text, or undefined when the record is not committed field by field. */
export function sdPayloadOf(stored: string | undefined): SdPayload | undefined {
  if (stored === undefined) return undefined;
  try {
    return parseSdPayload(JSON.parse(stored));
  } catch {
    return undefined;
  }
}

/** The disclosures the service holds for these records, by record and field name (erased and purged fields are gone). */
export async function heldDisclosures(db: Db, recordIds: readonly string[], names?: readonly string[]): Promise<Map<string, Map<string, string>>> {
  const held = new Map<string, Map<string, string>>();
  if (recordIds.length === 0 || names?.length === 0) return held;
  let query = db.selectFrom("record_disclosures").select(["record_id", "name", "disclosure"]).where("record_id", "in", [...recordIds]);
  if (names !== undefined) query = query.where("name", "in", [...names]);
  for (const row of await query.execute()) {
    let fields = held.get(row.record_id);
    if (!fields) held.set(row.record_id, (fields = new Map()));
    fields.set(row.name, row.disclosure);
  }
  return held;
}

/** A disclosure document; the disclosures in the order given. */
export function disclosureDocument(receipt: Receipt, payload: SdPayload, disclosures: readonly string[]): DisclosureDocument<Receipt> {
  return { format: DISCLOSURE_FORMAT, receipt, payload, disclosures: [...disclosures] };
}

export async function discloseOrderRecord(db: Db, principal: Principal, orderId: string, recordId: string, names: readonly string[]): Promise<DisclosureDocument<Receipt>> {
  const order = await findOrder(db, principal, orderId);
  const [record] = await findRecords(db, [recordId]);
  if (!record || record.subject !== order.subject) throw notFound("record", "params.recordId");
  const stored = await db.selectFrom("record_payloads").select("payload").where("record_id", "=", record.id).executeTakeFirst();
  const payload = sdPayloadOf(stored?.payload);
  if (payload === undefined) {
    throw new AppError("UNPROCESSABLE", "params.recordId: this record is not committed field by field (a file, or its payload was purged): it has no disclosures", { field: "params.recordId" });
  }
  const byName = (await heldDisclosures(db, [record.id], names)).get(record.id) ?? new Map<string, string>();
  const disclosures = names.map((name, i) => {
    const disclosure = byName.get(name);
    if (disclosure === undefined) throw new AppError("UNPROCESSABLE", `body.fields[${i}]: the record has no disclosable field "${name}" (never committed, erased or purged)`, { field: `body.fields[${i}]` });
    return disclosure;
  });
  return disclosureDocument(receiptOf(record), payload, disclosures);
}
