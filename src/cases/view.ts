// A case as the API shows it: the row, its deadlines now, its evidence and its timeline (the
// records of its chain, oldest first, with their payloads: the parties may read them).
import type { CaseRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { deadlinesOf, RETURN_OUTCOMES, type DeadlinePeriods } from "./deadlines.ts";

export interface EvidenceItem {
  id: string;
  recordId: string;
  kind: string;
  subject: string;
  recordHash: string;
  party: string;
  note: string;
  addedAt: string;
  withdrawnAt: string | null;
}

export interface TimelineEntry {
  recordId: string;
  kind: string;
  submitter: string;
  submittedAt: string;
  recordHash: string;
  payload: unknown;
}

export async function evidenceOf(db: Db, caseId: string): Promise<EvidenceItem[]> {
  const rows = await db
    .selectFrom("case_evidence as e")
    .innerJoin("records as r", "r.id", "e.record_id")
    .select(["e.id", "e.record_id", "e.party", "e.note", "e.added_at", "e.withdrawn_at", "r.kind", "r.subject", "r.record_hash"])
    .where("e.case_id", "=", caseId)
    .orderBy("e.added_at")
    .orderBy("e.id")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    recordId: r.record_id,
    kind: r.kind,
    subject: r.subject,
    recordHash: r.record_hash,
    party: r.party,
    note: r.note,
    addedAt: new Date(r.added_at).toISOString(),
    withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at).toISOString() : null,
  }));
}

export async function timelineOf(db: Db, subject: string): Promise<TimelineEntry[]> {
  const rows = await db
    .selectFrom("records as r")
    .leftJoin("record_payloads as p", "p.record_id", "r.id")
    .select(["r.id", "r.kind", "r.envelope", "r.record_hash", "p.payload"])
    .where("r.subject", "=", subject)
    .orderBy("r.seq")
    .execute();
  return rows.map((r) => {
    const envelope = JSON.parse(r.envelope) as { submitter: string; submittedAt: string };
    return { recordId: r.id, kind: r.kind, submitter: envelope.submitter, submittedAt: envelope.submittedAt, recordHash: r.record_hash, payload: r.payload === null ? null : JSON.parse(r.payload) };
  });
}

export function periodsOf(config: { CASE_REQUEST_DAYS: number; CASE_REVIEW_DAYS: number; CASE_RETURN_DAYS: number }): DeadlinePeriods {
  return { requestDays: config.CASE_REQUEST_DAYS, reviewDays: config.CASE_REVIEW_DAYS, returnDays: config.CASE_RETURN_DAYS };
}

export function caseSummary(row: CaseRow, periods: DeadlinePeriods, now: Date) {
  return {
    id: row.id,
    subject: row.subject,
    merchantId: row.merchant_id,
    orderRef: row.order_ref,
    summary: row.summary,
    openedBy: row.opened_by,
    openedAt: new Date(row.opened_at).toISOString(),
    deliveredAt: row.delivered_at ? new Date(row.delivered_at).toISOString() : null,
    state: row.state,
    mediatorAssigned: row.mediator_key_id !== null,
    decision: row.decided_at ? { outcome: row.outcome!, reasons: row.reasons!, decidedAt: new Date(row.decided_at).toISOString() } : null,
    deadlines: deadlinesOf(
      { deliveredAt: row.delivered_at, openedAt: new Date(row.opened_at), decidedAt: row.decided_at, returnRequired: row.outcome !== null && RETURN_OUTCOMES.has(row.outcome) },
      periods,
      now,
    ),
  };
}

export async function caseView(db: Db, row: CaseRow, periods: DeadlinePeriods, now: Date) {
  return { ...caseSummary(row, periods, now), evidence: await evidenceOf(db, row.id), timeline: await timelineOf(db, row.subject) };
}
