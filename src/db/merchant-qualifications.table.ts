import type { Generated, Selectable } from "kysely";

export type QualificationStatus = "pending" | "approved" | "rejected";

/** A qualification document a merchant submitted, and the operator's decision (migration 010_evidence_files). */
export interface MerchantQualificationsTable {
  id: string;
  merchant_id: string;
  /** business-licence, food-permit, cosmetics-permit, brand-authorisation. */
  doc_type: string;
  number: string;
  /** date columns, read back as Date at midnight UTC (see qualifications.ts). */
  valid_from: Date | string;
  valid_until: Date | string | null;
  file_id: string;
  record_id: string;
  status: Generated<QualificationStatus>;
  decision_reason: string | null;
  decided_at: Date | null;
  decided_by_key_id: string | null;
  decision_record_id: string | null;
  created_at: Generated<Date>;
}
export type MerchantQualificationRow = Selectable<MerchantQualificationsTable>;
