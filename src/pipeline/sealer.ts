// The sealer: moves accepted records into a Merkle batch without writing to a single record.
//
// A batch covers a contiguous range of records.seq, (sealed_through, records_to]: it holds every
// record in that range (in seq order; records sealed row by row before migration 004 keep their
// own batch_seq and are left out) and stores its tree once, in batch_trees, with the seqs of the
// range that are not its records (holes). The range ends at or below the settled seq (settled.ts),
// so no record can appear in it after it is sealed: a record's batch is found from its seq alone,
// its leaf index from its offset in the range, and its audit path read from the stored tree.
// One transaction stores the batch, its tree and the new watermark, so a crash leaves either no
// batch or a whole one; the watermark row's lock keeps two sealers from taking the same range.
// A batch's range is at most batchMax seqs long: seqs are unique, so it holds at most batchMax
// records, and seqs that no record has (rolled-back inserts) only make it smaller.
//
// Every query here is bounded by the watermark, never by the table: records are never updated,
// so records_seq_key holds no dead entries for sealed rows, and a scan from sealed_through + 1
// reads only records still waiting. EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL 15 at 2,002,000
// records, all sealed, never vacuumed, 1,000 more waiting (test/pipeline/sealer-plans.test.ts keeps
// the shape; npm run bench:scale prints them):
//   oldestWaiting:  Limit -> Index Scan using records_seq_key on records
//                     Index Cond: (seq > 2002000)  Filter: (batch_seq IS NULL)  Buffers: shared hit=8 read=1  0.19 ms
//   waitingIn:      Aggregate -> Bitmap Heap Scan on records -> Bitmap Index Scan on records_seq_key
//                     Index Cond: ((seq > 2002000) AND (seq <= 2003000))         Buffers: shared hit=83  1.3 ms
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { settledSequence, type SettledSequence } from "./settled.ts";
import { buildSealedTree } from "./tree-builder.ts";

export interface SealPolicy {
  /** Seal as soon as this many seqs past the watermark are settled (a batch holds at most this many records). */
  batchMax: number;
  /** …or as soon as the oldest has waited this long. */
  intervalMs: number;
}

export interface SealedBatch {
  seq: number;
  root: string;
  treeSize: number;
}

// The two reads of waiting records (exported so that test/pipeline/sealer-plans.test.ts can
// EXPLAIN exactly these statements). Their cost is bounded by the watermark and the batch size,
// whatever PostgreSQL's statistics say (a table that is never analysed, autovacuum off, has none):
// - the oldest: an open range in seq order with LIMIT 1 is always the ordered index scan that
//   stops at the first row;
// - a batch's records: a closed range of at most batchMax seqs, read unordered in one row (the
//   tree worker orders them, batch-leaves.ts says why).
// Records sealed row by row before migration 004 carry a batch_seq and are not waiting.

/** The first waiting record after `from`, and how long it has waited by the database's clock. */
export const oldestWaiting = (from: number) => sql<{ seq: string; waited_ms: number }>`
  select seq, extract(epoch from (clock_timestamp() - accepted_at)) * 1000 as waited_ms
    from records where seq > ${from} and batch_seq is null
   order by seq limit 1`;

/** The waiting records of (from, upTo]: their leaf hashes as one hex string and their seqs as one list, pairwise in the same order (not seq order). */
export const waitingIn = (from: number, upTo: number) => sql<{ leaves: string | null; seqs: string | null }>`
  select string_agg(leaf_hash, '') as leaves, string_agg(seq::text, ',') as seqs
    from records where seq > ${from} and seq <= ${upTo} and batch_seq is null`;

/** The watermark: every record with seq ≤ it is in a batch. */
export async function sealedThrough(db: Db): Promise<number> {
  const row = await db.selectFrom("seal_progress").select("sealed_through").executeTakeFirstOrThrow();
  return Number(row.sealed_through);
}

/**
 * Whether a batch is due: a batch's worth of settled seqs was drawn (holes only make it smaller),
 * or the oldest waiting record has waited long enough (by the database's clock). One index lookup
 * at most.
 */
export async function sealIsDue(db: Db, policy: SealPolicy, settled: SettledSequence = settledSequence()): Promise<boolean> {
  const through = await settled.through(db);
  const from = await sealedThrough(db);
  if (through <= from) return false;
  if (through - from >= policy.batchMax) return true;
  const oldest = (await oldestWaiting(from).execute(db)).rows[0];
  if (!oldest || Number(oldest.seq) > through) return false;
  return Number(oldest.waited_ms) >= policy.intervalMs;
}

/**
 * Seals the waiting records of the next range of up to `batchMax` settled seqs into the next
 * batch; null when none wait. The pipeline passes the tracker it keeps across polls; a fresh one
 * (the default, for one-off calls) counts seqs as settled only if no write to records is in
 * flight at that moment.
 */
export async function sealBatch(db: Db, batchMax: number, settled: SettledSequence = settledSequence()): Promise<SealedBatch | null> {
  const through = await settled.through(db);
  return db.transaction().execute(async (tx) => {
    // The row lock serialises sealers; a second one reads the watermark the first committed.
    const progress = await tx.selectFrom("seal_progress").select("sealed_through").forUpdate().executeTakeFirstOrThrow();
    const from = Number(progress.sealed_through);
    if (through <= from) return null;
    const to = Math.min(through, from + batchMax);
    const { leaves, seqs } = (await waitingIn(from, to).execute(tx)).rows[0]!;
    if (leaves === null || seqs === null) {
      // Only gaps (rolled-back inserts) up to `to`: move the watermark past them.
      await tx.updateTable("seal_progress").set({ sealed_through: to }).execute();
      return null;
    }
    // On a worker thread (tree-builder.ts): this process also answers the API meanwhile.
    const tree = await buildSealedTree(leaves, seqs);
    const last = await tx.selectFrom("batches").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    const root = tree.root;
    const holes = holesIn(from + 1, to, tree.seqs);
    await tx.insertInto("batches").values({ seq, root, tree_size: tree.size, status: "sealed", records_from: from + 1, records_to: to, holes }).execute();
    await tx.insertInto("batch_trees").values({ batch_seq: seq, nodes: tree.nodes }).execute();
    await tx.updateTable("seal_progress").set({ sealed_through: to }).execute();
    return { seq, root, treeSize: tree.size };
  });
}

/** The seqs of [first, last] that are not among `taken` (ascending): no record of the batch has them. */
function holesIn(first: number, last: number, taken: readonly number[]): number[] {
  const holes: number[] = [];
  let next = 0;
  for (let seq = first; seq <= last; seq++) {
    if (taken[next] === seq) next++;
    else holes.push(seq);
  }
  return holes;
}
