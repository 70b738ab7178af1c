// Where a record was sealed, and its RFC 9162 §2.1.3 inclusion proof, read from the batch's
// stored tree (migration 004): a record stores no audit path of its own.
//
// A record sealed before migration 004 names its batch (batch_seq) and leaf index. A later one lies
// in the records.seq range of exactly one batch (src/pipeline/sealer.ts), and its leaf index is its
// offset in that range less the batch's holes below it. The audit path is then a dozen or so
// 32-byte nodes at positions known from the tree size and leaf index (auditPathPositions), read
// from the batch's whole stored tree, which a bounded in-memory cache keeps for recent batches
// (a sealed tree never changes): a receipt costs the same whichever of millions of records it is for.
import { sql, type Kysely, type Transaction } from "kysely";
import type { BatchRow } from "../db/batches.table.ts";
import type { Database } from "../db/database.ts";
import type { RecordRow } from "../db/records.table.ts";
import { auditPathPositions } from "../merkle/index.ts";
import { treeCacheOf } from "./tree-cache.ts";

type Executor = Kysely<Database> | Transaction<Database>;

/** What a receipt and a status need of a batch: all of its row but the signed transaction and the last error. */
export type BatchState = Omit<BatchRow, "raw_tx" | "last_error">;

export interface SealedAt {
  batch: BatchState;
  leafIndex: number;
  /** Leaf to root, 64 hex digits a node. */
  auditPath: string[];
}

/** The columns of BatchState, as withBatchSql returns them (prefixed b_). */
const BATCH_COLUMNS = [
  "seq", "root", "tree_size", "status", "sealed_at", "chain_id", "contract", "tx_hash", "submitted_at", "block_number",
  "block_hash", "block_time", "anchored_at", "final_at", "attempts", "reorgs", "records_from", "records_to", "holes",
] as const satisfies ReadonlyArray<keyof BatchState>;

type Prefixed = { [K in (typeof BATCH_COLUMNS)[number] as `b_${K}`]: BatchState[K] | null };
export type RecordWithBatchRow = RecordRow & Prefixed;

/**
 * Records (alias r) each with its batch's columns (b_*, null while it is unsealed), for a `where`
 * on r to follow: one statement, where reading the record and then its batch took two round
 * trips. A record sealed before migration 004 names its batch; a later one is in the range of
 * the first batch whose range ends at or after its seq, if that batch's range starts at or
 * before it (batches_records_to: one index probe).
 */
export const withBatchSql = sql`
  select r.id, r.seq, r.kind, r.subject, r.envelope, r.record_hash, r.salt, r.leaf_hash, r.submitter_key_id, r.merchant_id,
         r.accepted_at, r.batch_seq, r.leaf_index, ${sql.raw(BATCH_COLUMNS.map((c) => `b.${c} as b_${c}`).join(", "))}
    from records r
    left join lateral (
      select * from batches where seq = r.batch_seq
      union all
      (select * from batches where r.batch_seq is null and records_to >= r.seq order by records_to limit 1)
      limit 1
    ) as b on r.batch_seq is not null or b.records_from <= r.seq`;

/** A row of withBatchSql as the record and its batch (null when it is unsealed). */
export function splitBatch(joined: RecordWithBatchRow): { row: RecordRow; batch: BatchState | null } {
  const { id, seq, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id, merchant_id, accepted_at, batch_seq, leaf_index } = joined;
  const row: RecordRow = { id, seq, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id, merchant_id, accepted_at, batch_seq, leaf_index };
  if (joined.b_seq === null) return { row, batch: null };
  const batch = {} as Record<string, unknown>;
  for (const column of BATCH_COLUMNS) batch[column] = joined[`b_${column}`];
  return { row, batch: batch as BatchState };
}

/** The batch and inclusion proof of each sealed record among `rows`, by record id. */
export async function sealingOf(db: Executor, rows: readonly RecordRow[]): Promise<Map<string, SealedAt>> {
  const batchOf = await batchesOf(db, rows);
  return proofsOf(db, rows.map((row) => ({ row, batch: batchOf.get(row.id) ?? null })));
}

/** The inclusion proofs of records whose batches are known, by record id (the sealed ones only). */
export async function proofsOf(db: Executor, records: ReadonlyArray<{ row: RecordRow; batch: BatchState | null }>): Promise<Map<string, SealedAt>> {
  const sealed = records.flatMap(({ row, batch }) => (batch ? [{ row, batch, leafIndex: leafIndexOf(row, batch) }] : []));
  if (sealed.length === 0) return new Map();

  const trees = await treesOf(db, [...new Set(sealed.map((s) => s.batch.seq))]);
  const found = new Map<string, SealedAt>();
  for (const { row, batch, leafIndex } of sealed) {
    const nodes = trees.get(batch.seq);
    if (nodes === undefined) throw new Error(`sealed batch ${batch.seq} has no stored tree`);
    const node = (position: number) => nodes.toString("hex", position * 32, position * 32 + 32);
    // Its own leaf first, to check the bookkeeping; then its audit path, leaf to root.
    if (node(leafIndex) !== row.leaf_hash) throw new Error(`record ${row.id} is not leaf ${leafIndex} of batch ${batch.seq}`);
    found.set(row.id, { batch, leafIndex, auditPath: auditPathPositions(batch.tree_size, leafIndex).map(node) });
  }
  return found;
}

/**
 * The stored trees of these batches, from memory where they were read before (src/records/tree-cache.ts),
 * else in one query. A whole tree costs one TOAST read per 2 KiB chunk, about what a dozen
 * substring() look-ups of one audit path cost, and serves every later receipt of the batch.
 */
async function treesOf(db: Executor, batchSeqs: number[]): Promise<Map<number, Buffer>> {
  const cache = treeCacheOf(db);
  const trees = new Map<number, Buffer>();
  const missing: number[] = [];
  for (const seq of batchSeqs) {
    const nodes = cache.get(seq);
    if (nodes) trees.set(seq, nodes);
    else missing.push(seq);
  }
  if (missing.length > 0) {
    const rows = await db.selectFrom("batch_trees").select(["batch_seq", "nodes"]).where("batch_seq", "in", missing).execute();
    for (const { batch_seq, nodes } of rows) {
      // node-postgres gives a Buffer, PGlite a Uint8Array.
      const tree = Buffer.from(nodes);
      cache.set(batch_seq, tree);
      trees.set(batch_seq, tree);
    }
  }
  return trees;
}

/** Sealed before migration 004: stored. After: the offset in the batch's range, less the holes below. */
function leafIndexOf(row: RecordRow, batch: BatchState): number {
  if (row.batch_seq !== null) return row.leaf_index as number;
  const seq = Number(row.seq);
  const holesBelow = batch.holes.filter((hole) => Number(hole) < seq).length;
  return seq - Number(batch.records_from) - holesBelow;
}

/** record id → its batch: by batch_seq for records sealed row by row, by seq range otherwise. */
/** The batch each sealed record among `rows` is in, by record id (no proofs: for statuses). */
export async function batchesOf(db: Executor, rows: readonly RecordRow[]): Promise<Map<string, BatchRow>> {
  const legacy = [...new Set(rows.map((r) => r.batch_seq).filter((s): s is number => s !== null))];
  const ranged = rows.filter((r) => r.batch_seq === null).map((r) => String(r.seq));
  const bySeq = new Map<number, BatchRow>();
  if (legacy.length > 0) for (const b of await db.selectFrom("batches").selectAll().where("seq", "in", legacy).execute()) bySeq.set(b.seq, b);
  const byRecordSeq = new Map<string, BatchRow>();
  if (ranged.length > 0) {
    // The first batch whose range ends at or after the seq (batches_records_to), if it starts at or before it.
    const { rows: covering } = await sql<BatchRow & { record_seq: string }>`
      select s.seq::text as record_seq, b.*
        from unnest(${ranged}::bigint[]) as s(seq)
        cross join lateral (select * from batches where records_to >= s.seq order by records_to limit 1) as b
       where b.records_from <= s.seq`.execute(db);
    for (const { record_seq, ...batch } of covering) byRecordSeq.set(record_seq, batch);
  }
  const batchOf = new Map<string, BatchRow>();
  for (const row of rows) {
    const batch = row.batch_seq !== null ? bySeq.get(row.batch_seq) : byRecordSeq.get(String(row.seq));
    if (batch) batchOf.set(row.id, batch);
  }
  return batchOf;
}
