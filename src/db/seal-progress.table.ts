import type { ColumnType, Selectable } from "kysely";

/** One row: every record with seq ≤ sealed_through is in a batch, or was never committed. */
export interface SealProgressTable {
  one: ColumnType<boolean, never, never>;
  /** int8: a string from node-postgres, a number or bigint from PGlite. */
  sealed_through: ColumnType<string | number | bigint, never, number>;
}
export type SealProgressRow = Selectable<SealProgressTable>;
