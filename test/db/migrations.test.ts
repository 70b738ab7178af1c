import t from "tap";
import { sql } from "kysely";
import { migrateDown, migrateToLatest } from "../../src/db/migrate.ts";
import { openTestDatabase, usingPostgres } from "../support/database.ts";

t.test(`migrations run up, down and up again on ${usingPostgres ? "PostgreSQL" : "PGlite"}`, async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const tables = async () =>
    (await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by tablename`.execute(handle.db)).rows.map((r) => r.tablename);
  t.same(await tables(), ["api_keys", "batch_trees", "batches", "idempotency_keys", "merchants", "records", "seal_progress"]);
  t.same(await migrateToLatest(handle.db), [], "a second run applies nothing");
  await migrateDown(handle.db, true);
  t.same(await tables(), [], "down removes every table");
  t.same(await migrateToLatest(handle.db), ["applied 001_foundation", "applied 002_records", "applied 004_batch_trees"]);
  const version = await sql<{ v: string }>`select version() as v`.execute(handle.db);
  t.comment(`database: ${version.rows[0]?.v.split(",")[0]}`);
});
