import type { ColumnType, Generated, Selectable } from "kysely";

/** An EPCIS event captured (migration 006_epcis). */
export interface EpcisEventsTable {
  hash_id: string;
  declaration: boolean;
  merchant_id: string;
  capture_id: string;
  event_type: string;
  event_time: Date;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  recorded_at: Generated<Date>;
}

/** An event's record on one subject. */
export interface EpcisEventSubjectsTable {
  record_id: string;
  subject: string;
  hash_id: string;
  declaration: boolean;
  event_time: Date;
  disposition: string | null;
}

/** `child` inside `parent` from added_at until removed_at (null: still inside). */
export interface EpcisContainmentTable {
  id: ColumnType<string, never, never>;
  parent: string;
  child: string;
  added_at: Date;
  added_by: string;
  removed_at: Date | null;
  removed_by: string | null;
}
export type EpcisEventRow = Selectable<EpcisEventsTable>;
