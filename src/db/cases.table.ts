import type { ColumnType, Generated, Selectable } from "kysely";

export type CaseParty = "consumer" | "merchant" | "mediator" | "operator";
export type CaseState = "open" | "decided";

export interface CasesTable {
  id: string;
  /** urn:tracemark:case:{id}: the subject of the case's timeline records. */
  subject: string;
  merchant_id: string;
  order_ref: string;
  summary: string;
  opened_by: CaseParty;
  opener_key_id: string;
  consumer_key_id: string | null;
  mediator_key_id: string | null;
  delivered_at: Date | null;
  opened_at: Generated<Date>;
  state: CaseState;
  outcome: string | null;
  reasons: string | null;
  decided_at: Date | null;
}
export type CaseRow = Selectable<CasesTable>;

export interface CaseEvidenceTable {
  id: string;
  case_id: string;
  record_id: string;
  party: CaseParty;
  added_by_key_id: string;
  note: ColumnType<string, string | undefined, string>;
  added_at: Generated<Date>;
  withdrawn_at: Date | null;
}
export type CaseEvidenceRow = Selectable<CaseEvidenceTable>;
