// Merchant qualification (issue 10, item 4): a merchant submits a qualification document (a
// business licence, a food or cosmetics permit, a brand authorisation) with its type, number and
// validity, as an evidence file it uploaded plus a private `merchant.qualification` record on
// its subject urn:tracemark:merchant:{id} (the domain write path: `prev` from the subject's head,
// under its row lock). The operator approves or rejects it with a reason: a PUBLIC
// `merchant.qualification.decision` record on the same chain, so the merchant's timeline shows
// the decision right after what it decided on. The decision names the document's type and
// validity and the submission's recordHash, not its number or file.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import type { QualificationStatus } from "../../db/merchant-qualifications.table.ts";
import { AppError, invalid, notFound } from "../../errors.ts";
import { canonicalJson, sha256Hex, type Envelope, type JsonValue } from "../../merkle/index.ts";
import { acceptedRow } from "../../records/accepted-row.ts";
import { insertOwnedRecords } from "../../records/repository.ts";
import { takeSalts } from "../../records/salts.ts";
import { submitterOf } from "../../records/submitter.ts";
import { lockSubject, prevFor, writeDomainRecord, type WrittenRecord } from "../../trace/domain-write.ts";

export const QUALIFICATION_KINDS = { submission: "merchant.qualification", decision: "merchant.qualification.decision" } as const;

export const QUALIFICATION_TYPES = ["business-licence", "food-permit", "cosmetics-permit", "brand-authorisation"] as const;
export type QualificationType = (typeof QUALIFICATION_TYPES)[number];

export const merchantSubject = (merchantId: string) => `urn:tracemark:merchant:${merchantId}`;

export interface QualificationInput {
  type: QualificationType;
  number: string;
  validFrom: string;
  validUntil?: string | null;
  file: { id: string };
}

export interface Qualification {
  id: string;
  merchantId: string;
  type: QualificationType;
  number: string;
  validFrom: string;
  validUntil: string | null;
  file: { id: string; sha256: string };
  status: QualificationStatus;
  recordId: string;
  decision: { reason: string; decidedAt: string; recordId: string } | null;
  createdAt: string;
}

const isRealDate = (date: string) => {
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === date;
};

/** The merchant submits a document for the operator to check. */
export async function submitQualification(db: Db, principal: Principal, input: QualificationInput): Promise<{ qualification: Qualification; record: WrittenRecord }> {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new Error("qualifications are submitted by merchants");
  if (!isRealDate(input.validFrom)) throw invalid("body.validFrom", "is not a calendar date");
  const validUntil = input.validUntil ?? null;
  if (validUntil !== null && !isRealDate(validUntil)) throw invalid("body.validUntil", "is not a calendar date");
  if (validUntil !== null && validUntil < input.validFrom) throw invalid("body.validUntil", "is before body.validFrom");
  const file = await db
    .selectFrom("evidence_files as f")
    .innerJoin("records as r", "r.id", "f.record_id")
    .select(["f.id", "f.sha256", "r.record_hash"])
    .where("f.id", "=", input.file.id)
    .where("f.merchant_id", "=", merchantId)
    .executeTakeFirst();
  if (!file) throw notFound("evidence file", "body.file.id");

  const subject = merchantSubject(merchantId);
  const payload = {
    type: input.type,
    number: input.number,
    validFrom: input.validFrom,
    validUntil,
    file: { sha256: file.sha256, record: file.record_hash },
  };
  const id = randomUUID();
  const { record, created } = await db.transaction().execute(async (tx) => {
    const prev = prevFor(await lockSubject(tx, subject), principal, subject, "body");
    const record = await writeDomainRecord(tx, principal, { kind: QUALIFICATION_KINDS.submission, subject, payload, prev }, "body");
    const created = await tx
      .insertInto("merchant_qualifications")
      .values({ id, merchant_id: merchantId, doc_type: input.type, number: input.number, valid_from: input.validFrom, valid_until: validUntil, file_id: file.id, record_id: record.id })
      .returning("created_at")
      .executeTakeFirstOrThrow();
    return { record, created };
  });
  return {
    qualification: {
      id,
      merchantId,
      type: input.type,
      number: input.number,
      validFrom: input.validFrom,
      validUntil,
      file: { id: file.id, sha256: file.sha256 },
      status: "pending",
      recordId: record.id,
      decision: null,
      createdAt: new Date(created.created_at).toISOString(),
    },
    record,
  };
}

/**
 * The operator's decision on a pending document: a public record on the merchant's subject, whose
 * chain it extends (the operator appends to a subject it does not own: the record belongs to the
 * merchant's records, its envelope names the operator's key as submitter).
 */
export async function decideQualification(
  db: Db,
  principal: Principal,
  id: string,
  input: { decision: "approved" | "rejected"; reason: string },
): Promise<{ qualification: Qualification; record: WrittenRecord }> {
  if (principal.role !== "admin") throw new Error("only the operator decides on qualifications");
  const record = await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom("merchant_qualifications").select(["id", "merchant_id", "status", "record_id"]).where("id", "=", id).forUpdate().executeTakeFirst();
    if (!row) throw notFound("qualification", "params.qualificationId");
    if (row.status !== "pending") throw new AppError("CONFLICT", `params.qualificationId: this qualification was ${row.status} already; the merchant submits the document again to have it checked again`, { field: "params.qualificationId" });
    const subject = merchantSubject(row.merchant_id);
    const head = await lockSubject(tx, subject);
    if (!head || head.owner.merchantId !== row.merchant_id) throw new Error(`the subject ${subject} is not the merchant's`);
    const submission = await tx.selectFrom("records").select("record_hash").where("id", "=", row.record_id).executeTakeFirstOrThrow();
    const current = await readQualifications(tx, { id });
    const q = current[0]!;
    const decidedAt = new Date().toISOString();
    const payload: JsonValue = {
      merchant: row.merchant_id,
      qualification: submission.record_hash,
      type: q.type,
      validFrom: q.validFrom,
      validUntil: q.validUntil,
      decision: input.decision,
      reason: input.reason,
      decidedAt,
    };
    const payloadText = canonicalJson(payload);
    const envelope: Envelope = {
      v: 1,
      kind: QUALIFICATION_KINDS.decision,
      subject,
      contentHash: sha256Hex(payloadText),
      mediaType: "application/json",
      submitter: submitterOf(principal),
      submittedAt: decidedAt,
      prev: head.headRecordHash,
    };
    const salt = takeSalts(1);
    const written = acceptedRow({ kind: envelope.kind, subject, text: canonicalJson(envelope) }, salt, { keyId: principal.keyId, merchantId: row.merchant_id });
    const foreign = await insertOwnedRecords(tx, [{ row: written, owner: { merchantId: row.merchant_id, keyId: null } }]);
    if (foreign.length > 0) throw new Error(`the subject ${subject} is not the merchant's`);
    await tx.insertInto("record_payloads").values({ record_id: written.id, payload: payloadText }).execute();
    await tx
      .updateTable("merchant_qualifications")
      .set({ status: input.decision, decision_reason: input.reason, decided_at: new Date(decidedAt), decided_by_key_id: principal.keyId, decision_record_id: written.id })
      .where("id", "=", id)
      .execute();
    return { id: written.id, envelope, recordHash: written.record_hash, salt: written.salt };
  });
  const [qualification] = await readQualifications(db, { id });
  return { qualification: qualification!, record };
}

/** Qualifications by id, or of one merchant, or all; newest first. */
export async function readQualifications(db: Db, filter: { id?: string; merchantId?: string; status?: QualificationStatus }): Promise<Qualification[]> {
  const rows = await db
    .selectFrom("merchant_qualifications as q")
    .innerJoin("evidence_files as f", "f.id", "q.file_id")
    .select([
      "q.id",
      "q.merchant_id",
      "q.doc_type",
      "q.number",
      sql<string>`q.valid_from::text`.as("valid_from"),
      sql<string | null>`q.valid_until::text`.as("valid_until"),
      "q.file_id",
      "f.sha256",
      "q.status",
      "q.record_id",
      "q.decision_reason",
      "q.decided_at",
      "q.decision_record_id",
      "q.created_at",
    ])
    .$if(filter.id !== undefined, (q) => q.where("q.id", "=", filter.id!))
    .$if(filter.merchantId !== undefined, (q) => q.where("q.merchant_id", "=", filter.merchantId!))
    .$if(filter.status !== undefined, (q) => q.where("q.status", "=", filter.status!))
    .orderBy("q.created_at", "desc")
    .limit(1000)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    merchantId: r.merchant_id,
    type: r.doc_type as QualificationType,
    number: r.number,
    validFrom: r.valid_from,
    validUntil: r.valid_until,
    file: { id: r.file_id, sha256: r.sha256 },
    status: r.status as QualificationStatus,
    recordId: r.record_id,
    decision:
      r.decided_at && r.decision_record_id
        ? { reason: r.decision_reason ?? "", decidedAt: new Date(r.decided_at).toISOString(), recordId: r.decision_record_id }
        : null,
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
