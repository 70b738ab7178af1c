import type { Kysely } from "kysely";
import type { ApiKeysTable } from "./api-keys.table.ts";
import type { BatchTreesTable } from "./batch-trees.table.ts";
import type { BatchesTable } from "./batches.table.ts";
import type { CaseEvidenceTable, CasesTable } from "./cases.table.ts";
import type { EpcisContainmentTable, EpcisEventSubjectsTable, EpcisEventsTable } from "./epcis.table.ts";
import type { IdempotencyKeysTable } from "./idempotency-keys.table.ts";
import type { ItemsTable } from "./items.table.ts";
import type { JobsTable } from "./jobs.table.ts";
import type { ResolverLinksTable } from "./links.table.ts";
import type { LotsTable } from "./lots.table.ts";
import type { MerchantPrefixesTable } from "./merchant-prefixes.table.ts";
import type { MerchantsTable } from "./merchants.table.ts";
import type { ProductsTable } from "./products.table.ts";
import type { RecordPayloadsTable } from "./record-payloads.table.ts";
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
  record_payloads: RecordPayloadsTable;
  merchant_prefixes: MerchantPrefixesTable;
  products: ProductsTable;
  lots: LotsTable;
  items: ItemsTable;
  jobs: JobsTable;
  epcis_events: EpcisEventsTable;
  epcis_event_subjects: EpcisEventSubjectsTable;
  epcis_containment: EpcisContainmentTable;
  resolver_links: ResolverLinksTable;
  cases: CasesTable;
  case_evidence: CaseEvidenceTable;
}

export type Db = Kysely<Database>;
