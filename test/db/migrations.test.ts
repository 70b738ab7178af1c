import { randomUUID } from "node:crypto";
import t from "tap";
import { sql } from "kysely";
import { MIGRATION_NAMES, migrateDown, migrateDownTo, migrateToLatest } from "../../src/db/migrate.ts";
import { openTestDatabase, usingPostgres } from "../support/database.ts";

t.test(`migrations run up, down and up again on ${usingPostgres ? "PostgreSQL" : "PGlite"}`, async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const tables = async () =>
    (await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by tablename`.execute(handle.db)).rows.map((r) => r.tablename);
  t.same(await tables(), ["after_sales", "api_keys", "batch_trees", "batches", "case_evidence", "cases", "claim_failures", "epcis_containment", "epcis_event_subjects", "epcis_events", "evidence_files", "idempotency_keys", "item_claims", "items", "jobs", "lots", "merchant_prefixes", "merchant_qualifications", "merchants", "order_items", "orders", "products", "public_notarizations", "record_disclosures", "record_payloads", "records", "resolver_links", "scan_devices", "seal_progress", "stream_claims", "stream_segments", "streams", "subjects"]);
  t.same(await migrateToLatest(handle.db), [], "a second run applies nothing");
  await migrateDown(handle.db, true);
  t.same(await tables(), [], "down removes every table");
  t.same(await migrateToLatest(handle.db), MIGRATION_NAMES.map((name) => `applied ${name}`));
  const version = await sql<{ v: string }>`select version() as v`.execute(handle.db);
  t.comment(`database: ${version.rows[0]?.v.split(",")[0]}`);
});

t.test("003_subjects gives each subject written before it to its first writer, with its newest record as head", async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const db = handle.db;
  t.same(await migrateDownTo(db, "002_records"), MIGRATION_NAMES.slice(2).reverse().map((name) => `reverted ${name}`));
  const [a, b] = [randomUUID(), randomUUID()];
  await db.insertInto("merchants").values([{ id: a, name: "A" }, { id: b, name: "B" }]).execute();
  await db.insertInto("api_keys").values([
    { id: "0000000000aa", secret_hash: "x", role: "merchant", merchant_id: a },
    { id: "0000000000bb", secret_hash: "x", role: "merchant", merchant_id: b },
    { id: "00000000adad", secret_hash: "x", role: "admin", merchant_id: null },
  ]).execute();
  const record = (subject: string, key: string, merchant: string | null, hash: string) => ({
    id: randomUUID(), kind: "k", subject, envelope: "{}", record_hash: hash.repeat(64), salt: "0".repeat(64), leaf_hash: "0".repeat(64), submitter_key_id: key, merchant_id: merchant,
  });
  // In this order: seq decides who was first.
  for (const r of [record("s:shared", "0000000000aa", a, "1"), record("s:shared", "0000000000bb", b, "2"), record("s:admin", "00000000adad", null, "3"), record("s:shared", "0000000000aa", a, "4")]) {
    await db.insertInto("records").values(r).execute();
  }
  await migrateToLatest(db);
  const rows = await db.selectFrom("subjects").select(["subject", "owner_merchant_id", "owner_key_id", "head_record_hash"]).orderBy("subject").execute();
  t.same(rows, [
    { subject: "s:admin", owner_merchant_id: null, owner_key_id: "00000000adad", head_record_hash: "3".repeat(64) },
    { subject: "s:shared", owner_merchant_id: a, owner_key_id: null, head_record_hash: "4".repeat(64) },
  ]);
});

t.test("014_job_stored gives each capture made before it the count of events it stored; other jobs keep 0", async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const db = handle.db;
  t.same(await migrateDownTo(db, "013_cases"), ["reverted 014_job_stored"]);
  const merchant = randomUUID();
  await db.insertInto("merchants").values({ id: merchant, name: "A" }).execute();
  const [capture, other, items] = [randomUUID(), randomUUID(), randomUUID()];
  const job = (id: string, kind: string, done: number) => ({ id, kind, merchant_id: merchant, status: "succeeded" as const, total: done, done, target: "{}" });
  await db.insertInto("jobs").values([job(capture, "epcis.capture", 3), job(other, "epcis.capture", 2), job(items, "trace.items", 5)]).execute();
  const event = (n: number, captureId: string) => ({ hash_id: `ni:///sha-256;${n}`, declaration: false, merchant_id: merchant, capture_id: captureId, event_type: "ObjectEvent", event_time: new Date(0) });
  // The first capture stored two of its three events (one was a duplicate); the second stored none.
  await db.insertInto("epcis_events").values([event(1, capture), event(2, capture)]).execute();
  await migrateToLatest(db);
  const rows = await db.selectFrom("jobs").select(["id", "stored"]).execute();
  const stored = new Map(rows.map((r) => [r.id, r.stored]));
  t.same([stored.get(capture), stored.get(other), stored.get(items)], [2, 0, 0]);
});
