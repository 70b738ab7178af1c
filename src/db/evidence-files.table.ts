import type { ColumnType, Generated, Selectable } from "kysely";

/** One upload of an evidence file (migration 010_evidence_files); the bytes are in the blob store. */
export interface EvidenceFilesTable {
  id: string;
  /** SHA-256 of the raw bytes: the blob store address and the record's contentHash. */
  sha256: string;
  /** int8: read back as a string by node-postgres. */
  size: ColumnType<string, number, never>;
  media_type: string;
  name: string;
  merchant_id: string;
  submitter_key_id: string;
  /** The private `evidence.file` record that notarized this upload. */
  record_id: string;
  created_at: Generated<Date>;
}
export type EvidenceFileRow = Selectable<EvidenceFilesTable>;
