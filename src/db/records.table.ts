import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export interface RecordsTable {
  id: string;
  seq: ColumnType<string, never, never>;
  kind: string;
  subject: string;
  envelope: string;
  record_hash: string;
  salt: string;
  leaf_hash: string;
  submitter_key_id: string;
  merchant_id: string | null;
  accepted_at: Generated<Date>;
  /** Set only for records sealed before migration 004; later batches cover a range of seq. */
  batch_seq: number | null;
  leaf_index: number | null;
}
export type RecordRow = Selectable<RecordsTable>;
export type NewRecordRow = Insertable<RecordsTable>;
