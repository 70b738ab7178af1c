import type { Kysely } from "kysely";
import { Migrator, NO_MIGRATIONS, type Migration, type MigrationResultSet } from "kysely/migration";
import * as foundation from "./migrations/001_foundation.ts";
import * as records from "./migrations/002_records.ts";
import * as subjects from "./migrations/003_subjects.ts";
import * as batchTrees from "./migrations/004_batch_trees.ts";
import * as trace from "./migrations/005_trace.ts";
import * as epcis from "./migrations/006_epcis.ts";
import * as links from "./migrations/007_links.ts";
import * as epcisQuery from "./migrations/008_epcis_query.ts";
import * as scans from "./migrations/009_scans.ts";
import * as evidenceFiles from "./migrations/010_evidence_files.ts";
import * as orders from "./migrations/011_orders.ts";
import * as streams from "./migrations/012_streams.ts";
import * as cases from "./migrations/013_cases.ts";
import * as jobStored from "./migrations/014_job_stored.ts";

// Listed, not read from a folder: the set of migrations is part of the code under review, and
// this works the same from a checkout, a bundle or a test.
const MIGRATIONS: Record<string, Migration> = {
  "001_foundation": foundation,
  "002_records": records,
  "003_subjects": subjects,
  "004_batch_trees": batchTrees,
  "005_trace": trace,
  "006_epcis": epcis,
  "007_links": links,
  "008_epcis_query": epcisQuery,
  "009_scans": scans,
  "010_evidence_files": evidenceFiles,
  "011_orders": orders,
  "012_streams": streams,
  "013_cases": cases,
  "014_job_stored": jobStored,
};

/** Every migration's name, oldest first. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
}

/** Applies every pending migration; throws with the failing migration's name on error. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  return applied(await migrator(db).migrateToLatest());
}

/** Reverts the newest migration (or all with `all`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateDown(db: Kysely<any>, all = false): Promise<string[]> {
  const m = migrator(db);
  return applied(all ? await m.migrateTo(NO_MIGRATIONS) : await m.migrateDown());
}

/** Reverts migrations until `name` is the newest applied (tests of one migration's data step). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateDownTo(db: Kysely<any>, name: string): Promise<string[]> {
  return applied(await migrator(db).migrateTo(name));
}

function applied({ error, results }: MigrationResultSet): string[] {
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new Error(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).map((r) => `${r.direction === "Up" ? "applied" : "reverted"} ${r.migrationName}`);
}
