import type { ColumnType, Selectable } from "kysely";

export interface SubjectsTable {
  subject: string;
  /** The merchant that owns the subject, or null when an admin key owns it. */
  owner_merchant_id: string | null;
  /** The admin key that owns the subject, or null when a merchant owns it. */
  owner_key_id: string | null;
  /** recordHash of the subject's newest record. */
  head_record_hash: string;
  created_at: ColumnType<Date, never, never>;
}
export type SubjectRow = Selectable<SubjectsTable>;
