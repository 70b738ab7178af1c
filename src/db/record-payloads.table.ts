import type { Insertable, Selectable } from "kysely";

export interface RecordPayloadsTable {
  record_id: string;
  /** The RFC 8785 canonical JSON text whose SHA-256 is the record's contentHash. */
  payload: string;
}
export type RecordPayloadRow = Selectable<RecordPayloadsTable>;
export type NewRecordPayloadRow = Insertable<RecordPayloadsTable>;
