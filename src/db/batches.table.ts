import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

export type BatchStatus = "sealed" | "submitted" | "anchored" | "final";

/** int8 columns come back as strings from node-postgres; they are converted where read. */
type Int8 = ColumnType<string | number | bigint, number | bigint, number | bigint>;

export interface BatchesTable {
  seq: number;
  root: string;
  tree_size: number;
  status: BatchStatus;
  sealed_at: Generated<Date>;
  chain_id: Int8 | null;
  contract: string | null;
  tx_hash: string | null;
  raw_tx: string | null;
  submitted_at: Date | null;
  block_number: Int8 | null;
  block_hash: string | null;
  block_time: Date | null;
  anchored_at: Date | null;
  final_at: Date | null;
  attempts: Generated<number>;
  reorgs: Generated<number>;
  last_error: string | null;
  /** The records.seq range this batch covers (migration 004); null for batches sealed before it. */
  records_from: Int8 | null;
  records_to: Int8 | null;
  /** Seqs in the range that are not the batch's records (rolled-back inserts, rows sealed before 004). */
  holes: ColumnType<(string | number)[], (string | number)[] | undefined, never>;
}
export type BatchRow = Selectable<BatchesTable>;
export type NewBatchRow = Insertable<BatchesTable>;
export type BatchUpdate = Updateable<BatchesTable>;
