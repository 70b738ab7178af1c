import type { Kysely } from "kysely";
import type { ApiKeysTable } from "./api-keys.table.ts";
import type { BatchTreesTable } from "./batch-trees.table.ts";
import type { BatchesTable } from "./batches.table.ts";
import type { IdempotencyKeysTable } from "./idempotency-keys.table.ts";
import type { MerchantsTable } from "./merchants.table.ts";
import type { RecordsTable } from "./records.table.ts";
import type { SubjectsTable } from "./subjects.table.ts";
import type { SealProgressTable } from "./seal-progress.table.ts";

export interface Database {
  merchants: MerchantsTable;
  api_keys: ApiKeysTable;
  batches: BatchesTable;
  batch_trees: BatchTreesTable;
  records: RecordsTable;
  subjects: SubjectsTable;
  idempotency_keys: IdempotencyKeysTable;
  seal_progress: SealProgressTable;
}

export type Db = Kysely<Database>;
