// The sealer: moves accepted records into a Merkle batch without writing to a single record.
//
// A batch covers a contiguous range of records.seq, (sealed_through, records_to]: it holds every
// record in that range (in seq order; records sealed row by row before migration 004 keep their
// own batch_seq and are left out) and stores their leaf hashes once, in batch_leaves. The range
// ends at or below the settled seq (settled.ts), so no record can appear in it after it is sealed:
// a record's batch is found from its seq alone, and its audit path from the batch's leaves.
// One transaction stores the batch, its leaves and the new watermark, so a crash leaves either
// no batch or a whole one; the watermark row's lock keeps two sealers from taking the same range.
//
// Every query here is bounded by the watermark, never by the table: records are never updated,
// so records_seq_key holds no dead entries for sealed rows, and a scan from sealed_through + 1
// reads only the records still waiting. EXPLAIN (ANALYZE, BUFFERS), 2,000,000 records of which
// 1,990,000 sealed, never vacuumed (test/pipeline/sealer-plans.test.ts keeps the shape):
//   Limit (actual rows=1) -> Index Scan using records_seq_key on records
//     Index Cond: ((seq > '1990000'::bigint) AND (seq <= '2000000'::bigint))
//     Filter: (batch_seq IS NULL)          Buffers: shared hit=4
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { buildTree } from "../merkle/index.ts";
import { settledSequence, type SettledSequence } from "./settled.ts";

export interface SealPolicy {
  /** Seal as soon as this many records wait. */
  batchMax: number;
  /** …or as soon as the oldest has waited this long. */
  intervalMs: number;
}

export interface SealedBatch {
  seq: number;
  root: string;
  treeSize: number;
}

/** The watermark: every record with seq ≤ it is in a batch. */
export async function sealedThrough(db: Db): Promise<number> {
  const row = await db.selectFrom("seal_progress").select("sealed_through").executeTakeFirstOrThrow();
  return Number(row.sealed_through);
}

/**
 * Whether a batch is due: enough settled records wait, or the oldest has waited long enough (by
 * the database's clock). Two index lookups at most: the first waiting record, and (only when
 * enough seqs were drawn) the batchMax-th.
 */
export async function sealIsDue(db: Db, policy: SealPolicy, settled: SettledSequence = settledSequence()): Promise<boolean> {
  const through = await settled.through(db);
  const from = await sealedThrough(db);
  if (through <= from) return false;
  const { rows } = await sql<{ waited_ms: number }>`
    select extract(epoch from (clock_timestamp() - accepted_at)) * 1000 as waited_ms
      from records where seq > ${from} and seq <= ${through} and batch_seq is null
     order by seq limit 1`.execute(db);
  const oldest = rows[0];
  if (!oldest) return false;
  if (Number(oldest.waited_ms) >= policy.intervalMs) return true;
  if (through - from < policy.batchMax) return false; // fewer seqs drawn than a batch holds
  const { rows: nth } = await sql<{ seq: string }>`
    select seq from records where seq > ${from} and seq <= ${through} and batch_seq is null
     order by seq offset ${policy.batchMax - 1} limit 1`.execute(db);
  return nth.length > 0;
}

/**
 * Seals up to `batchMax` of the oldest settled records into the next batch; null when none wait.
 * The pipeline passes the tracker it keeps across polls; a fresh one (the default, for one-off
 * calls) counts seqs as settled only if no write to records is in flight at that moment.
 */
export async function sealBatch(db: Db, batchMax: number, settled: SettledSequence = settledSequence()): Promise<SealedBatch | null> {
  const through = await settled.through(db);
  return db.transaction().execute(async (tx) => {
    // The row lock serialises sealers; a second one reads the watermark the first committed.
    const progress = await tx.selectFrom("seal_progress").select("sealed_through").forUpdate().executeTakeFirstOrThrow();
    const from = Number(progress.sealed_through);
    if (through <= from) return null;
    const pending = await tx
      .selectFrom("records")
      .select(["seq", "leaf_hash"])
      .where("seq", ">", String(from))
      .where("seq", "<=", String(through))
      .where("batch_seq", "is", null)
      .orderBy("seq")
      .limit(batchMax)
      .execute();
    if (pending.length === 0) {
      // Only gaps (rolled-back inserts) up to `through`: move the watermark past them.
      await tx.updateTable("seal_progress").set({ sealed_through: through }).execute();
      return null;
    }
    // A full batch ends at its last record; a smaller one takes every settled seq.
    const to = pending.length === batchMax ? Number(pending.at(-1)!.seq) : through;

    const leaves = Buffer.alloc(32 * pending.length);
    pending.forEach((r, i) => leaves.write(r.leaf_hash, 32 * i, "hex"));
    const tree = buildTree(pending.map((_, i) => leaves.subarray(32 * i, 32 * i + 32)));
    const last = await tx.selectFrom("batches").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    const root = tree.root.toString("hex");
    await tx.insertInto("batches").values({ seq, root, tree_size: tree.size, status: "sealed", records_from: from + 1, records_to: to }).execute();
    await tx.insertInto("batch_leaves").values({ batch_seq: seq, leaves }).execute();
    await tx.updateTable("seal_progress").set({ sealed_through: to }).execute();
    return { seq, root, treeSize: tree.size };
  });
}
