// Migration 004 stops storing audit paths: receipts of records sealed before it (row by row, with
// batch_seq, leaf_index and audit_path) must come out byte for byte as they did, now derived from
// the batch's leaves; and going down gives every record its stored audit path back.
import t from "tap";
import { sql, type Kysely } from "kysely";
import { Migrator } from "kysely/migration";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import type { BatchRow } from "../../src/db/batches.table.ts";
import { openDatabase } from "../../src/db/connect.ts";
import type { Db } from "../../src/db/database.ts";
import { migrateDownTo, migrateToLatest } from "../../src/db/migrate.ts";
import * as foundation from "../../src/db/migrations/001_foundation.ts";
import * as records from "../../src/db/migrations/002_records.ts";
import * as subjects from "../../src/db/migrations/003_subjects.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { buildTree, verifyReceiptOffline } from "../../src/merkle/index.ts";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { notarize } from "../../src/records/notarize.ts";
import { receiptOf } from "../../src/records/receipts.ts";
import { findRecords, type RecordWithBatch } from "../../src/records/repository.ts";
import { createTestDatabase, testConfig } from "../support/database.ts";

interface StoredRow {
  id: string;
  seq: string;
  leaf_hash: string;
  batch_seq: number | null;
  leaf_index: number | null;
  audit_path: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const asOld = (db: Db) => db as unknown as Kysely<any>;

/** The sealer as it was before migration 004: every record row gets its leaf index and audit path. */
async function sealRowByRow(db: Db, ids: string[]): Promise<number> {
  return asOld(db).transaction().execute(async (tx) => {
    const rows = (await sql<StoredRow>`select id, leaf_hash from records where id = any(${ids}::uuid[]) order by seq`.execute(tx)).rows;
    const tree = buildTree(rows.map((r) => Buffer.from(r.leaf_hash, "hex")));
    const seq = Number((await sql<{ n: number | null }>`select max(seq) as n from batches`.execute(tx)).rows[0]?.n ?? 0) + 1;
    await sql`insert into batches (seq, root, tree_size, status) values (${seq}, ${tree.root.toString("hex")}, ${tree.size}, 'sealed')`.execute(tx);
    const paths = rows.map((_, i) => Buffer.concat(tree.auditPath(i)).toString("hex"));
    await sql`
      update records as r set batch_seq = ${seq}, leaf_index = u.leaf_index, audit_path = u.audit_path
        from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((_, i) => i)}::int[], ${paths}::text[]) as u(id, leaf_index, audit_path)
       where r.id = u.id`.execute(tx);
    return seq;
  });
}

/** Receipts as the service answered them before migration 004: the path split from the stored column. */
async function receiptsBefore(db: Db, ids: string[]): Promise<Map<string, string>> {
  const rows = (await sql<StoredRow & Record<string, unknown>>`select * from records where id = any(${ids}::uuid[])`.execute(asOld(db))).rows;
  const batches = new Map((await db.selectFrom("batches").selectAll().execute()).map((b) => [b.seq, b]));
  const out = new Map<string, string>();
  for (const row of rows) {
    const batch = row.batch_seq === null ? null : (batches.get(row.batch_seq) as BatchRow);
    const auditPath = (row.audit_path ?? "").match(/.{64}/g) ?? [];
    const sealedAt = batch && row.leaf_index !== null ? { batch, leafIndex: row.leaf_index, auditPath } : null;
    out.set(row.id, JSON.stringify(receiptOf({ ...row, batch, sealedAt } as unknown as RecordWithBatch)));
  }
  return out;
}

async function receiptsNow(db: Db, ids: string[]): Promise<Map<string, string>> {
  return new Map((await findRecords(db, ids)).map((r) => [r.id, JSON.stringify(receiptOf(r))]));
}

t.test("migration 004 keeps every receipt byte for byte", async (t) => {
  const testDb = await createTestDatabase();
  const database = await openDatabase(testConfig({}, testDb.url));
  t.teardown(async () => {
    await database.close();
    await testDb.drop();
  });
  const db = database.db;
  const migrations = { "001_foundation": foundation, "002_records": records, "003_subjects": subjects };
  const { error } = await new Migrator({ db: asOld(db), provider: { getMigrations: async () => migrations } }).migrateToLatest();
  t.error(error, "the schema as it was before 004");

  const merchant = await createMerchant(db, "Migration Shop");
  const principal = await issueApiKey(db, { role: "merchant", merchantId: merchant.id });
  const accept = async (n: number) =>
    (await notarize(db, principal, Array.from({ length: n }, (_, i) => ({ kind: "evidence.chat", subject: "migrating", payload: { i, at: Math.random() } })), { field: (i, f) => `records[${i}].${f}` })).ids;
  const ids = await accept(23);
  // Batch 1 leaves out the 5th record, as a late commit would have; batch 2 takes it with the next seven.
  await sealRowByRow(db, [...ids.slice(0, 4), ...ids.slice(5, 9)]);
  await sealRowByRow(db, [ids[4]!, ...ids.slice(9, 16)]);
  // The 17th record waits; the 18th was sealed alone (a late commit above the oldest waiting one).
  await sealRowByRow(db, [ids[17]!]);
  await asOld(db)
    .updateTable("batches")
    .set({ status: "final", chain_id: 31337, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3", tx_hash: `0x${"ab".repeat(32)}`, block_number: 7, block_hash: `0x${"cd".repeat(32)}`, block_time: new Date("2025-06-01T12:00:00Z") })
    .where("seq", "=", 1)
    .execute();
  const before = await receiptsBefore(db, ids);

  t.same((await migrateToLatest(db))[0], "applied 004_batch_trees");
  const after = await receiptsNow(db, ids);
  for (const id of ids) t.equal(after.get(id), before.get(id), `record ${ids.indexOf(id) + 1}'s receipt is unchanged`);
  t.ok(JSON.parse(after.get(ids[0]!)!).anchor?.status === "final" && JSON.parse(after.get(ids[16]!)!).inclusion === null, "(anchored and unsealed receipts among them)");
  const columns = (await sql<{ c: string }>`select column_name as c from information_schema.columns where table_name = 'records'`.execute(db)).rows.map((r) => r.c);
  t.notOk(columns.includes("audit_path"), "records store no audit path any more");

  await t.test("the new sealer takes the waiting records and leaves the ones sealed row by row alone", async (t) => {
    const next = await sealBatch(db, 100);
    t.equal(next?.treeSize, 23 - 17, "the 17th and 19th to 23rd records");
    const sealed = await findRecords(db, ids);
    t.same(sealed.map((r) => r.batch?.seq), [1, 1, 1, 1, 2, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 4, 3, 4, 4, 4, 4, 4]);
    for (const r of sealed) t.equal(verifyReceiptOffline(receiptOf(r)).status, "valid", `record ${ids.indexOf(r.id) + 1}'s receipt verifies offline`);
  });

  await t.test("going down stores the same audit paths in the rows again", async (t) => {
    const derived = await receiptsNow(db, ids);
    t.same((await migrateDownTo(db, "003_subjects")).at(-1), "reverted 004_batch_trees");
    const stored = await receiptsBefore(db, ids);
    for (const id of ids) t.equal(stored.get(id), derived.get(id), `record ${ids.indexOf(id) + 1}`);
    t.same((await migrateToLatest(db))[0], "applied 004_batch_trees", "and up again");
    t.same(await receiptsNow(db, ids), derived);
  });
});
