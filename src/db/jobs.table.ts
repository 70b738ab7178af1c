import type { Generated, Insertable, Selectable, Updateable } from "kysely";
import type { JsonbColumn } from "./products.table.ts";

export type JobStatus = "queued" | "running" | "succeeded" | "failed";

export interface JobsTable {
  id: string;
  kind: string;
  merchant_id: string;
  status: JobStatus;
  total: number;
  /** Units committed so far: updated in the transaction that commits them. */
  done: Generated<number>;
  /** Of those, the units stored (a capture: new events; the rest were duplicates), moved with `done`. */
  stored: Generated<number>;
  target: JsonbColumn<Record<string, string>>;
  /** Whether the job hands its owner secrets once (scratch PINs); they live in memory only. */
  secret_result: Generated<boolean>;
  error: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
}
export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
