// The worker side of tree-builder.ts: puts a batch's leaves in seq order (batch-leaves.ts), builds
// its RFC 9162 tree (src/merkle) off the main thread, and hands back the root, every node and the
// seqs in leaf order.
import { parentPort } from "node:worker_threads";
import { buildBatchTree } from "./batch-leaves.ts";
import type { TreeJob, TreeResult } from "./tree-builder.ts";

parentPort!.on("message", ({ id, leaves, seqs }: TreeJob) => {
  try {
    const tree = buildBatchTree(leaves, seqs);
    // Copies of their own, so that they can be moved to the main thread rather than copied again.
    const nodes = new Uint8Array(tree.nodes);
    const ordered = Float64Array.from(tree.seqs);
    parentPort!.postMessage({ id, root: tree.root, size: tree.size, nodes: nodes.buffer, seqs: ordered.buffer } satisfies TreeResult, [nodes.buffer, ordered.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies TreeResult);
  }
});
