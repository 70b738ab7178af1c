// Evidence in a case (issue 11): a party attaches a record it may see (by id), or one it holds the
// receipt of (by the receipt's recordHash and salt: holding the salt is holding the receipt, which
// is how a consumer without an account brings its own notarized photo); withdraws what it added;
// makes statements. Each is a row change and a record on the case's chain, in one transaction.
import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/api-keys.ts";
import type { CaseEvidenceRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { findRecords } from "../records/repository.ts";
import { readScopeOf } from "../records/submitter.ts";
import type { Tx } from "../trace/domain-write.ts";
import { partyOf, visibleCase } from "./access.ts";
import { chainOwner } from "./cases.ts";
import { actorOf, appendTimeline, CASE_KINDS } from "./timeline.ts";

export interface AttachInput {
  recordId?: string | undefined;
  receipt?: { record?: { recordHash?: unknown; salt?: unknown } } | undefined;
  note?: string | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** The record the input names, if the caller may bring it; else a 422 naming the field (the same for one that does not exist). */
async function recordFor(tx: Tx, principal: Principal, input: AttachInput): Promise<{ id: string; kind: string; subject: string; recordHash: string; contentHash: string }> {
  if ((input.recordId === undefined) === (input.receipt === undefined)) {
    throw new AppError("VALIDATION_FAILED", "body: give exactly one of recordId and receipt", { field: "body" });
  }
  if (input.recordId !== undefined) {
    const [record] = await findRecords(tx, [input.recordId], readScopeOf(principal));
    if (!record) throw new AppError("UNPROCESSABLE", "body.recordId is not a record you may see", { field: "body.recordId" });
    return { id: record.id, kind: record.kind, subject: record.subject, recordHash: record.record_hash, contentHash: (JSON.parse(record.envelope) as { contentHash: string }).contentHash };
  }
  const recordHash = input.receipt?.record?.recordHash;
  const salt = input.receipt?.record?.salt;
  if (typeof recordHash !== "string" || !HEX64.test(recordHash)) throw new AppError("VALIDATION_FAILED", "body.receipt.record.recordHash must be 64 lower-case hex digits", { field: "body.receipt.record.recordHash" });
  if (typeof salt !== "string" || !HEX64.test(salt)) throw new AppError("VALIDATION_FAILED", "body.receipt.record.salt must be 64 lower-case hex digits", { field: "body.receipt.record.salt" });
  const row = await tx.selectFrom("records").select(["id", "kind", "subject", "record_hash", "envelope"]).where("record_hash", "=", recordHash).where("salt", "=", salt).executeTakeFirst();
  if (!row) throw new AppError("UNPROCESSABLE", "body.receipt names no record of this service (its recordHash and salt match none)", { field: "body.receipt" });
  return { id: row.id, kind: row.kind, subject: row.subject, recordHash: row.record_hash, contentHash: (JSON.parse(row.envelope) as { contentHash: string }).contentHash };
}

export async function attachEvidence(db: Db, principal: Principal, caseId: string, input: AttachInput): Promise<CaseEvidenceRow> {
  return db.transaction().execute(async (tx) => {
    const row = await visibleCase(tx, principal, caseId, { lock: true });
    if (row.state !== "open") throw new AppError("CONFLICT", "params.caseId: the case is decided; evidence is closed", { field: "params.caseId" });
    const record = await recordFor(tx, principal, input);
    if (record.subject === row.subject) throw new AppError("UNPROCESSABLE", "the record is one of the case's own timeline records", { field: input.recordId !== undefined ? "body.recordId" : "body.receipt" });
    const live = await tx.selectFrom("case_evidence").select("id").where("case_id", "=", caseId).where("record_id", "=", record.id).where("withdrawn_at", "is", null).executeTakeFirst();
    if (live) throw new AppError("CONFLICT", `the record is in the case already (evidence ${live.id})`, { field: input.recordId !== undefined ? "body.recordId" : "body.receipt" });
    const party = partyOf(principal);
    const evidence = await tx
      .insertInto("case_evidence")
      .values({ id: randomUUID(), case_id: caseId, record_id: record.id, party, added_by_key_id: principal.keyId, note: input.note ?? "" })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendTimeline(tx, row.subject, chainOwner(row), actorOf(party, principal), CASE_KINDS.evidenceAdded, {
      case: caseId,
      evidence: evidence.id,
      record: { id: record.id, kind: record.kind, subject: record.subject, recordHash: record.recordHash, contentHash: record.contentHash },
      note: evidence.note,
    });
    return evidence;
  });
}

/** The key that added an item withdraws it, or the operator; it stays in the timeline, marked withdrawn. */
export async function withdrawEvidence(db: Db, principal: Principal, caseId: string, evidenceId: string, reason: string): Promise<CaseEvidenceRow> {
  return db.transaction().execute(async (tx) => {
    const row = await visibleCase(tx, principal, caseId, { lock: true });
    const item = await tx.selectFrom("case_evidence").selectAll().where("id", "=", evidenceId).where("case_id", "=", caseId).executeTakeFirst();
    if (!item) throw notFound("evidence", "params.evidenceId");
    if (item.added_by_key_id !== principal.keyId && principal.role !== "admin") throw new AppError("FORBIDDEN", "only the party that added the evidence (or the operator) withdraws it");
    if (item.withdrawn_at !== null) throw new AppError("CONFLICT", "params.evidenceId: withdrawn already", { field: "params.evidenceId" });
    if (row.state !== "open") throw new AppError("CONFLICT", "params.caseId: the case is decided; evidence is closed", { field: "params.caseId" });
    const updated = await tx.updateTable("case_evidence").set({ withdrawn_at: new Date() }).where("id", "=", evidenceId).returningAll().executeTakeFirstOrThrow();
    await appendTimeline(tx, row.subject, chainOwner(row), actorOf(partyOf(principal), principal), CASE_KINDS.evidenceWithdrawn, { case: caseId, evidence: evidenceId, reason });
    return updated;
  });
}

export async function makeStatement(db: Db, principal: Principal, caseId: string, text: string): Promise<string> {
  return db.transaction().execute(async (tx) => {
    const row = await visibleCase(tx, principal, caseId, { lock: true });
    const written = await appendTimeline(tx, row.subject, chainOwner(row), actorOf(partyOf(principal), principal), CASE_KINDS.statement, { case: caseId, text });
    return written.id;
  });
}
