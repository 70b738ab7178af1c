// What the scan page says about a merchant's qualifications (issue 10, item 4): "qualification
// checked by the operator on …", the document types with their expiry, and a warning for each one
// that has expired. Only approved documents count, the newest approval per type; everything here
// comes from public decision records, so the page may show it to anyone.
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { QualificationType } from "./qualifications.ts";

export interface CheckedQualification {
  type: QualificationType;
  /** When the operator approved it (RFC 3339 UTC). */
  checkedAt: string;
  validFrom: string;
  /** Last day of validity (YYYY-MM-DD), or null: without end. */
  validUntil: string | null;
  /** validUntil is before `now`'s date (in `timeZone`). */
  expired: boolean;
  /** The public decision record, for the page's verifier. */
  decisionRecordId: string;
}

export interface QualificationSummary {
  merchantId: string;
  /** Newest approval first; empty when the operator checked nothing yet. */
  checked: CheckedQualification[];
  /** When the newest of them was checked, or null. */
  lastCheckedAt: string | null;
  /** The types among `checked` that have expired. */
  expired: QualificationType[];
}

/** One formatter per zone: toLocaleDateString with options would build a new one at every call. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date of `now` in `timeZone`, YYYY-MM-DD. */
export function dateIn(now: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  // en-CA writes dates as YYYY-MM-DD.
  if (format === undefined) dayFormats.set(timeZone, (format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })));
  return format.format(now);
}

/**
 * The merchant's checked qualification documents as of `now`. A document is valid through the
 * last day of validity in `timeZone` (China's, by default: the documents are issued there).
 */
export async function qualificationSummary(db: Db, merchantId: string, now: Date, timeZone = "Asia/Shanghai"): Promise<QualificationSummary> {
  const rows = await db
    .selectFrom("merchant_qualifications")
    .select([
      "doc_type",
      "decided_at",
      "decision_record_id",
      sql<string>`valid_from::text`.as("valid_from"),
      sql<string | null>`valid_until::text`.as("valid_until"),
    ])
    .distinctOn("doc_type")
    .where("merchant_id", "=", merchantId)
    .where("status", "=", "approved")
    .orderBy("doc_type")
    .orderBy("decided_at", "desc")
    .execute();
  const today = dateIn(now, timeZone);
  const checked = rows
    .map((r) => ({
      type: r.doc_type as QualificationType,
      checkedAt: new Date(r.decided_at!).toISOString(),
      validFrom: r.valid_from,
      validUntil: r.valid_until,
      expired: r.valid_until !== null && r.valid_until < today,
      decisionRecordId: r.decision_record_id!,
    }))
    .sort((a, b) => (a.checkedAt < b.checkedAt ? 1 : a.checkedAt > b.checkedAt ? -1 : 0));
  return {
    merchantId,
    checked,
    lastCheckedAt: checked[0]?.checkedAt ?? null,
    expired: checked.filter((c) => c.expired).map((c) => c.type),
  };
}
