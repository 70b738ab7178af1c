import type { ColumnType, Insertable, Selectable } from "kysely";

/**
 * Every node of a batch's RFC 9162 tree, kept once (migration 004): a record's audit path is read
 * from it. Level by level from the leaves up, 32 bytes a node, each level as merkletreejs builds it
 * (a lonely last node promoted to the next level): level k+1 holds ceil(size_k / 2) nodes.
 */
export interface BatchTreesTable {
  batch_seq: number;
  /** A Buffer from node-postgres, a Uint8Array from PGlite. */
  nodes: ColumnType<Uint8Array, Uint8Array, never>;
}
export type BatchTreesRow = Selectable<BatchTreesTable>;
export type NewBatchTreesRow = Insertable<BatchTreesTable>;
