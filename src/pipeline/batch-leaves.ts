// A batch's waiting records as the sealer reads them: every leaf hash in one hex string and every
// seq in one comma-separated list, pairwise in the same (unspecified) order. PostgreSQL reads them
// cheapest without sorting (a bitmap scan of the range, then string_agg): ordering 10,000 rows
// there cost ~25 of a read's ~36 ms, on the database core the API's writes share. Here they are
// put in seq order, usually a single pass that finds them ordered already (heap order is insert
// order), on the tree worker (tree-worker.ts) with the tree they feed. The worker loads this
// module and src/merkle/tree.ts only (not the whole of src/merkle): its heap is part of the
// process's memory, which README "Limits" bounds.
import { buildTree } from "../merkle/tree.ts";

export interface BatchLeaves {
  /** The leaf hashes, 32 bytes each, in seq order: leaf i is the i-th record of the batch. */
  leaves: Buffer[];
  /** The records' seqs, ascending. */
  seqs: number[];
}

export function leavesInSeqOrder(leavesHex: string, seqsCsv: string): BatchLeaves {
  const seqs = seqsCsv.split(",").map(Number);
  const bytes = Buffer.from(leavesHex, "hex");
  if (bytes.length !== seqs.length * 32) throw new Error(`${seqs.length} seqs but ${bytes.length / 32} leaf hashes`);
  const leafAt = (i: number) => bytes.subarray(i * 32, i * 32 + 32);
  let ordered = true;
  for (let i = 1; i < seqs.length && ordered; i++) ordered = seqs[i - 1]! < seqs[i]!;
  if (ordered) return { leaves: seqs.map((_, i) => leafAt(i)), seqs };
  const order = seqs.map((_, i) => i).sort((a, b) => seqs[a]! - seqs[b]!);
  return { leaves: order.map(leafAt), seqs: order.map((i) => seqs[i]!) };
}

export interface SealedTree {
  root: string;
  size: number;
  /** Every node, level by level (src/merkle/tree.ts nodes()). */
  nodes: Buffer;
  /** The batch's records' seqs in leaf order (ascending). */
  seqs: number[];
}

/** A batch's tree from its leaves as the sealer read them, on whichever thread runs it. */
export function buildBatchTree(leavesHex: string, seqsCsv: string): SealedTree {
  const { leaves, seqs } = leavesInSeqOrder(leavesHex, seqsCsv);
  const tree = buildTree(leaves);
  return { root: tree.root.toString("hex"), size: tree.size, nodes: tree.nodes(), seqs };
}
