// Plain functions over the records and idempotency tables; `db` may be a transaction.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/database.ts";
import type { BatchRow } from "../db/batches.table.ts";
import type { NewRecordRow, RecordRow } from "../db/records.table.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export type RecordWithBatch = RecordRow & { batch: BatchRow | null };

// node-postgres binds at most 65,535 parameters per statement; 13 columns a row.
const INSERT_CHUNK = 2_000;

export async function insertRecords(db: Executor, rows: NewRecordRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await db.insertInto("records").values(rows.slice(i, i + INSERT_CHUNK)).execute();
  }
}

export async function findRecords(db: Executor, ids: string[]): Promise<RecordWithBatch[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("records").selectAll().where("id", "in", ids).execute();
  const batchSeqs = [...new Set(rows.map((r) => r.batch_seq).filter((s): s is number => s !== null))];
  const batches = batchSeqs.length
    ? await db.selectFrom("batches").selectAll().where("seq", "in", batchSeqs).execute()
    : [];
  const bySeq = new Map(batches.map((b) => [b.seq, b]));
  const byId = new Map(rows.map((r) => [r.id, { ...r, batch: r.batch_seq === null ? null : (bySeq.get(r.batch_seq) ?? null) }]));
  return ids.map((id) => byId.get(id)).filter((r): r is RecordWithBatch => r !== undefined);
}

/** record_hash → subject for the given hashes (to check `prev` links). */
export async function subjectsOfRecordHashes(db: Executor, hashes: string[]): Promise<Map<string, Set<string>>> {
  const found = new Map<string, Set<string>>();
  if (hashes.length === 0) return found;
  const rows = await db.selectFrom("records").select(["record_hash", "subject"]).where("record_hash", "in", hashes).execute();
  for (const r of rows) {
    const set = found.get(r.record_hash) ?? new Set<string>();
    set.add(r.subject);
    found.set(r.record_hash, set);
  }
  return found;
}

export async function findIdempotencyKey(db: Executor, keyId: string, idempotencyKey: string) {
  return db
    .selectFrom("idempotency_keys")
    .selectAll()
    .where("key_id", "=", keyId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

/** Claims the key for this request; false when another request holds it already. */
export async function claimIdempotencyKey(
  db: Executor,
  row: { key_id: string; idempotency_key: string; request_hash: string; record_ids: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto("idempotency_keys")
    .values(row)
    .onConflict((oc) => oc.columns(["key_id", "idempotency_key"]).doNothing())
    .returning("key_id")
    .executeTakeFirst();
  return inserted !== undefined;
}
