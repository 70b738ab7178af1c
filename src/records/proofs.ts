// Where a record was sealed, and its RFC 9162 §2.1.3 inclusion proof, derived on demand from the
// batch's leaves (migration 004): a record stores no audit path of its own.
//
// A record sealed before migration 004 names its batch (batch_seq) and leaf index; a later one
// lies in the records.seq range of exactly one batch (src/pipeline/sealer.ts), and its leaf index
// is the position of its leaf hash among the batch's leaves. Built trees are kept in a small LRU
// keyed by root (a root names its leaves), so receipts of recent batches cost a map lookup and a
// walk up the layers.
import { sql, type Kysely, type Transaction } from "kysely";
import type { BatchRow } from "../db/batches.table.ts";
import type { Database } from "../db/database.ts";
import type { RecordRow } from "../db/records.table.ts";
import { buildTree, type BuiltTree } from "../merkle/index.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export interface SealedAt {
  batch: BatchRow;
  leafIndex: number;
  /** Leaf to root, 64 hex digits a node. */
  auditPath: string[];
}

/** About 2.6 MB each for a batch of 10,000 (merkletreejs keeps every layer as Buffers). */
const CACHED_TREES = 12;

interface BatchTree {
  tree: BuiltTree;
  leaves: Buffer;
}

const trees = new Map<string, Promise<BatchTree>>();

/** The batch and inclusion proof of each sealed record among `rows`, by record id. */
export async function sealingOf(db: Executor, rows: readonly RecordRow[]): Promise<Map<string, SealedAt>> {
  const batchOf = await batchesOf(db, rows);
  const found = new Map<string, SealedAt>();
  for (const row of rows) {
    const batch = batchOf.get(row.id);
    if (!batch) continue;
    const { tree, leaves } = await batchTree(db, batch);
    const leafIndex = row.batch_seq !== null ? row.leaf_index : leafIndexOf(leaves, row.leaf_hash);
    if (leafIndex === null || leafIndex < 0 || leaves.toString("hex", 32 * leafIndex, 32 * leafIndex + 32) !== row.leaf_hash) {
      throw new Error(`record ${row.id} is not among the leaves of batch ${batch.seq}`);
    }
    found.set(row.id, { batch, leafIndex, auditPath: tree.auditPath(leafIndex).map((node) => node.toString("hex")) });
  }
  return found;
}

/** record id → its batch: by batch_seq for records sealed row by row, by seq range otherwise. */
async function batchesOf(db: Executor, rows: readonly RecordRow[]): Promise<Map<string, BatchRow>> {
  const legacy = [...new Set(rows.map((r) => r.batch_seq).filter((s): s is number => s !== null))];
  const ranged = rows.filter((r) => r.batch_seq === null).map((r) => String(r.seq));
  const bySeq = new Map<number, BatchRow>();
  if (legacy.length > 0) for (const b of await db.selectFrom("batches").selectAll().where("seq", "in", legacy).execute()) bySeq.set(b.seq, b);
  const byRecordSeq = new Map<string, number>();
  if (ranged.length > 0) {
    // The first batch whose range ends at or after the seq (batches_records_to), if it starts at or before it.
    const { rows: covering } = await sql<{ record_seq: string; batch_seq: number }>`
      select s.seq::text as record_seq, b.seq as batch_seq
        from unnest(${ranged}::bigint[]) as s(seq)
        cross join lateral (select seq, records_from from batches where records_to >= s.seq order by records_to limit 1) as b
       where b.records_from <= s.seq`.execute(db);
    for (const c of covering) byRecordSeq.set(c.record_seq, c.batch_seq);
    const missing = [...new Set(covering.map((c) => c.batch_seq))].filter((s) => !bySeq.has(s));
    if (missing.length > 0) for (const b of await db.selectFrom("batches").selectAll().where("seq", "in", missing).execute()) bySeq.set(b.seq, b);
  }
  const batchOf = new Map<string, BatchRow>();
  for (const row of rows) {
    const seq = row.batch_seq ?? byRecordSeq.get(String(row.seq));
    const batch = seq === undefined ? undefined : bySeq.get(seq);
    if (batch) batchOf.set(row.id, batch);
  }
  return batchOf;
}

/** The batch's built tree, from the cache or built once from its stored leaves. */
function batchTree(db: Executor, batch: BatchRow): Promise<BatchTree> {
  const cached = trees.get(batch.root);
  if (cached) {
    trees.delete(batch.root); // most recently used goes last
    trees.set(batch.root, cached);
    return cached;
  }
  const loading = loadTree(db, batch);
  trees.set(batch.root, loading);
  loading.catch(() => trees.delete(batch.root));
  while (trees.size > CACHED_TREES) trees.delete(trees.keys().next().value as string);
  return loading;
}

async function loadTree(db: Executor, batch: BatchRow): Promise<BatchTree> {
  const row = await db.selectFrom("batch_leaves").select("leaves").where("batch_seq", "=", batch.seq).executeTakeFirst();
  if (!row) throw new Error(`batch ${batch.seq} has no stored leaves`);
  // node-postgres gives a Buffer, PGlite a Uint8Array: one copy makes both a Buffer of our own.
  const leaves = Buffer.from(row.leaves);
  if (leaves.length !== 32 * batch.tree_size) throw new Error(`batch ${batch.seq} stores ${leaves.length / 32} leaves for a tree of ${batch.tree_size}`);
  const tree = buildTree(Array.from({ length: batch.tree_size }, (_, i) => leaves.subarray(32 * i, 32 * i + 32)));
  if (tree.root.toString("hex") !== batch.root) throw new Error(`the stored leaves of batch ${batch.seq} do not hash to its root`);
  return { tree, leaves };
}

/** Position of a 32-byte leaf hash among the leaves (a match must start on a leaf boundary); -1 if absent. */
function leafIndexOf(leaves: Buffer, leafHashHex: string): number {
  const needle = Buffer.from(leafHashHex, "hex");
  for (let at = leaves.indexOf(needle); at !== -1; at = leaves.indexOf(needle, at + 1)) {
    if (at % 32 === 0) return at / 32;
  }
  return -1;
}
