// Where a record was sealed, and its RFC 9162 §2.1.3 inclusion proof, read from the batch's
// stored tree (migration 004): a record stores no audit path of its own.
//
// A record sealed before migration 004 names its batch (batch_seq) and leaf index. A later one lies
// in the records.seq range of exactly one batch (src/pipeline/sealer.ts), and its leaf index is its
// offset in that range less the batch's holes below it. The audit path is then a dozen or so
// 32-byte nodes at positions known from the tree size and leaf index (auditPathPositions). For a
// recent batch, the ones receipts are mostly asked of, they are read from the batch's whole stored
// tree, which a bounded in-memory cache keeps (a sealed tree never changes); for an older batch,
// just those nodes are read, as substrings of the stored tree (its storage is EXTERNAL, so
// PostgreSQL fetches only the TOAST chunks that hold them). Loading whole trees for every batch
// asked of made receipts spread over more batches than the cache holds evict one another in
// turn: at 1.5 million records, 2,000 receipts spread over the table ran at 100 a second.
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

  const wanted = new Map<number, Set<number>>();
  for (const { batch, leafIndex } of sealed) {
    let positions = wanted.get(batch.seq);
    if (!positions) wanted.set(batch.seq, (positions = new Set()));
    positions.add(leafIndex);
    for (const position of auditPathPositions(batch.tree_size, leafIndex)) positions.add(position);
  }
  const trees = await nodesOf(db, wanted);
  const found = new Map<string, SealedAt>();
  for (const { row, batch, leafIndex } of sealed) {
    const node = trees.get(batch.seq);
    if (node === undefined) throw new Error(`sealed batch ${batch.seq} has no stored tree`);
    // Its own leaf first, to check the bookkeeping; then its audit path, leaf to root.
    if (node(leafIndex) !== row.leaf_hash) throw new Error(`record ${row.id} is not leaf ${leafIndex} of batch ${batch.seq}`);
    found.set(row.id, { batch, leafIndex, auditPath: auditPathPositions(batch.tree_size, leafIndex).map(node) });
  }
  return found;
}

/**
 * Batches within this many of the newest one asked of are read whole and cached (64 full trees,
 * ~40 MiB, fit the cache's 64 MiB); older ones node by node. A whole tree costs one TOAST read per
 * 2 KiB chunk, about what a dozen substring() look-ups of one audit path cost, and serves every
 * later receipt of the batch.
 */
export const WHOLE_TREE_BATCHES = 64;

type NodeAt = (position: number) => string;

/** For each batch, its nodes at the wanted positions (64 hex digits each), by position. */
async function nodesOf(db: Executor, wanted: ReadonlyMap<number, ReadonlySet<number>>): Promise<Map<number, NodeAt>> {
  const cache = treeCacheOf(db);
  cache.newestAsked = Math.max(cache.newestAsked, ...wanted.keys());
  const out = new Map<number, NodeAt>();
  const whole: number[] = [];
  const sliced: Array<{ seq: number; position: number }> = [];
  const fromTree = (tree: Buffer): NodeAt => (position) => tree.toString("hex", position * 32, position * 32 + 32);
  for (const [seq, positions] of wanted) {
    const tree = cache.get(seq);
    if (tree) out.set(seq, fromTree(tree));
    else if (seq > cache.newestAsked - WHOLE_TREE_BATCHES) whole.push(seq);
    else for (const position of positions) sliced.push({ seq, position });
  }
  const toRead = whole.filter((seq) => !cache.reading.has(seq));
  if (toRead.length > 0) {
    const read = db
      .selectFrom("batch_trees")
      .select(["batch_seq", "nodes"])
      .where("batch_seq", "in", toRead)
      .execute()
      // node-postgres gives a Buffer, PGlite a Uint8Array.
      .then((rows) => new Map(rows.map((r) => [r.batch_seq, Buffer.from(r.nodes)])));
    for (const seq of toRead) {
      const one = read.then((trees) => trees.get(seq));
      cache.reading.set(seq, one);
      void one
        .then((tree) => tree && cache.set(seq, tree))
        .finally(() => cache.reading.delete(seq))
        .catch(() => {});
    }
  }
  // Taken now, before any await: a finished read leaves the map when it settles.
  const waits = whole.map((seq) => [seq, cache.reading.get(seq)!] as const);
  for (const [seq, wait] of waits) {
    const tree = await wait;
    if (tree) out.set(seq, fromTree(tree));
  }
  if (sliced.length > 0) {
    const { rows } = await sql<{ seq: number; position: number; node: Uint8Array }>`
      select q.seq, q.position, substring(t.nodes from q.position * 32 + 1 for 32) as node
        from unnest(${sliced.map((s) => s.seq)}::int[], ${sliced.map((s) => s.position)}::int[]) as q(seq, position)
        join batch_trees t on t.batch_seq = q.seq`.execute(db);
    const read = new Map<number, Map<number, string>>();
    for (const row of rows) {
      let nodes = read.get(row.seq);
      if (!nodes) read.set(row.seq, (nodes = new Map()));
      nodes.set(row.position, Buffer.from(row.node).toString("hex"));
    }
    for (const [seq, nodes] of read) {
      out.set(seq, (position) => {
        const node = nodes.get(position);
        if (node === undefined) throw new Error(`node ${position} of batch ${seq} was not read`);
        return node;
      });
    }
  }
  return out;
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
