import type { Insertable, Selectable } from "kysely";

/** A batch's leaf hashes, kept once (migration 004): its records' audit paths derive from them. */
export interface BatchLeavesTable {
  batch_seq: number;
  /** 32 bytes a leaf, in leaf-index order: a Buffer from node-postgres, a Uint8Array from PGlite. */
  leaves: Uint8Array;
}
export type BatchLeavesRow = Selectable<BatchLeavesTable>;
export type NewBatchLeavesRow = Insertable<BatchLeavesTable>;
