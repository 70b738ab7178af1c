// The worker side of tree-builder.ts: builds a batch's RFC 9162 tree (src/merkle) off the main
// thread and hands back the root and every node.
import { parentPort } from "node:worker_threads";
import { buildTree } from "../merkle/index.ts";

export interface TreeJob {
  id: number;
  /** The leaf hashes, 32 bytes each, in leaf-index order. */
  leaves: ArrayBuffer;
}

export type TreeResult = { id: number; root: string; size: number; nodes: ArrayBuffer } | { id: number; error: string };

parentPort!.on("message", ({ id, leaves }: TreeJob) => {
  try {
    const tree = buildTree(Array.from({ length: leaves.byteLength / 32 }, (_, i) => Buffer.from(leaves, i * 32, 32)));
    const nodes = tree.nodes();
    // A copy of its own, so that it can be moved to the main thread rather than copied again.
    const moved = new Uint8Array(nodes.length);
    moved.set(nodes);
    parentPort!.postMessage({ id, root: tree.root.toString("hex"), size: tree.size, nodes: moved.buffer } satisfies TreeResult, [moved.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies TreeResult);
  }
});
