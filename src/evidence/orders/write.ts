// Writes the private records of an order's chain (DESIGN.md "Domain model", docs/disclosure-v1.md):
// in the caller's transaction, on the order's subject, with `prev` set by the server from the
// subject's head under its row lock (src/trace/domain-write.ts). Three shapes of record:
// - structured (orders, payments, after-sales): each top-level field committed separately; the
//   payload is the sorted digest list, each field's disclosure is kept in record_disclosures;
// - plain JSON (an erasure): payload hashed in RFC 8785 form, as every JSON record;
// - a file by its hash (an exported chat, a screenshot): contentHash is the file's raw SHA-256,
//   so `sha256sum` and `tracemark verify --content FILE` agree; the blob store keeps the bytes.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Principal } from "../../auth/api-keys.ts";
import { AppError } from "../../errors.ts";
import { canonicalJson, commitFields, sdPayloadText, sha256Hex, type Envelope, type JsonValue } from "../../merkle/index.ts";
import { acceptedRow } from "../../records/accepted-row.ts";
import { insertRecords } from "../../records/repository.ts";
import { submitterOf, type Owner } from "../../records/submitter.ts";
import { lockSubject, type Tx, type WrittenRecord } from "../../trace/domain-write.ts";

export const ORDER_KINDS = {
  order: "evidence.order",
  payment: "evidence.payment",
  chat: "evidence.chat",
  file: "evidence.order-file",
  afterSales: "evidence.after-sales",
  afterSalesUpdate: "evidence.after-sales-update",
  erasure: "evidence.erasure",
} as const;

export type OrderRecordContent =
  | { shape: "fields"; fields: { [name: string]: JsonValue }; personal?: readonly string[] }
  | { shape: "json"; payload: JsonValue }
  | { shape: "file"; sha256: string; mediaType: string };

export function orderSubject(merchantId: string, orderRef: string): string {
  return `urn:tracemark:order:${merchantId}:${encodeURIComponent(orderRef)}`;
}

/**
 * Appends one record to the order's chain. `owner` is the order's merchant: an operator's erasure
 * record goes on the merchant's chain (and stays readable by the merchant), signed as the operator's key.
 */
export async function writeOrderRecord(tx: Tx, principal: Principal, owner: Owner & { merchantId: string }, subject: string, kind: string, content: OrderRecordContent): Promise<WrittenRecord> {
  const head = await lockSubject(tx, subject);
  if (head !== null && head.owner.merchantId !== owner.merchantId) {
    throw new AppError("CONFLICT", `the subject ${subject} already holds records of another submitter`, { field: "body.orderRef" });
  }
  let payloadText: string | null = null;
  let contentHash: string;
  let mediaType = "application/json";
  let disclosures: { name: string; disclosure: string; personal: boolean }[] = [];
  if (content.shape === "fields") {
    const { payload, disclosures: all } = commitFields(content.fields);
    payloadText = sdPayloadText(payload);
    contentHash = sha256Hex(payloadText);
    const personal = new Set(content.personal ?? []);
    disclosures = all.map((d) => ({ name: d.name, disclosure: d.disclosure, personal: personal.has(d.name) }));
  } else if (content.shape === "json") {
    payloadText = canonicalJson(content.payload);
    contentHash = sha256Hex(payloadText);
  } else {
    contentHash = content.sha256;
    mediaType = content.mediaType;
  }
  const envelope: Envelope = {
    v: 1,
    kind,
    subject,
    contentHash,
    mediaType,
    submitter: submitterOf(principal),
    submittedAt: new Date().toISOString(),
    prev: head?.headRecordHash ?? null,
  };
  const salt = randomBytes(32);
  // The row belongs to the order's merchant whoever submits it: the merchant reads its whole chain.
  const row = acceptedRow({ kind, subject, text: canonicalJson(envelope) }, salt, { keyId: principal.keyId, merchantId: owner.merchantId });
  const foreign = await insertRecords(tx, owner, [row]);
  if (foreign.length > 0) throw new AppError("CONFLICT", `the subject ${subject} already holds records of another submitter`, { field: "body.orderRef" });
  if (payloadText !== null) await tx.insertInto("record_payloads").values({ record_id: row.id, payload: payloadText }).execute();
  if (disclosures.length > 0) {
    await sql`
      insert into record_disclosures (record_id, name, disclosure, personal)
      select ${row.id}::uuid, * from unnest(${disclosures.map((d) => d.name)}::text[], ${disclosures.map((d) => d.disclosure)}::text[], ${disclosures.map((d) => d.personal)}::boolean[])`.execute(tx);
  }
  await tx.updateTable("orders").set({ last_record_at: sql<Date>`now()` }).where("subject", "=", subject).execute();
  return { id: row.id, envelope, recordHash: row.record_hash, salt: row.salt };
}
