// Where a record was sealed, and its RFC 9162 §2.1.3 inclusion proof, read from the batch's
// stored tree (migration 004): a record stores no audit path of its own.
//
// A record sealed before migration 004 names its batch (batch_seq) and leaf index. A later one lies
// in the records.seq range of exactly one batch (src/pipeline/sealer.ts), and its leaf index is its
// offset in that range less the batch's holes below it. The audit path is then a dozen or so
// 32-byte nodes at positions known from the tree size and leaf index (auditPathPositions): one
// query reads just those, with substring() on the uncompressed, out-of-line nodes column, so a
// receipt costs the same whichever of millions of records it is for, and nothing is cached.
import { sql, type Kysely, type Transaction } from "kysely";
import type { BatchRow } from "../db/batches.table.ts";
import type { Database } from "../db/database.ts";
import type { RecordRow } from "../db/records.table.ts";
import { auditPathPositions } from "../merkle/index.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export interface SealedAt {
  batch: BatchRow;
  leafIndex: number;
  /** Leaf to root, 64 hex digits a node. */
  auditPath: string[];
}

/** The batch and inclusion proof of each sealed record among `rows`, by record id. */
export async function sealingOf(db: Executor, rows: readonly RecordRow[]): Promise<Map<string, SealedAt>> {
  const batchOf = await batchesOf(db, rows);
  const sealed = rows.flatMap((row) => {
    const batch = batchOf.get(row.id);
    return batch ? [{ row, batch, leafIndex: leafIndexOf(row, batch) }] : [];
  });
  if (sealed.length === 0) return new Map();

  // Per record: its own leaf first (to check the bookkeeping), then its audit path, leaf to root.
  const batchSeqs: number[] = [];
  const positions: number[] = [];
  for (const { batch, leafIndex } of sealed) {
    for (const position of [leafIndex, ...auditPathPositions(batch.tree_size, leafIndex)]) {
      batchSeqs.push(batch.seq);
      positions.push(position);
    }
  }
  const { rows: nodes } = await sql<{ node: Uint8Array }>`
    select substring(t.nodes from u.position * 32 + 1 for 32) as node
      from unnest(${batchSeqs}::int[], ${positions}::int[]) with ordinality as u(batch_seq, position, n)
      join batch_trees as t on t.batch_seq = u.batch_seq
     order by u.n`.execute(db);
  if (nodes.length !== positions.length) throw new Error("a sealed batch has no stored tree");

  const found = new Map<string, SealedAt>();
  let at = 0;
  for (const { row, batch, leafIndex } of sealed) {
    const count = 1 + auditPathPositions(batch.tree_size, leafIndex).length;
    // node-postgres gives a Buffer, PGlite a Uint8Array.
    const [leaf, ...path] = nodes.slice(at, at + count).map((n) => Buffer.from(n.node).toString("hex"));
    at += count;
    if (leaf !== row.leaf_hash) throw new Error(`record ${row.id} is not leaf ${leafIndex} of batch ${batch.seq}`);
    found.set(row.id, { batch, leafIndex, auditPath: path });
  }
  return found;
}

/** Sealed before migration 004: stored. After: the offset in the batch's range, less the holes below. */
function leafIndexOf(row: RecordRow, batch: BatchRow): number {
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
