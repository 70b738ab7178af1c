// Builds a batch's tree on a worker thread. The sealer runs in an API process: a 10,000-leaf tree
// is ~20,000 SHA-256 calls, tens of milliseconds during which that process would answer nothing,
// once per batch; every request in flight then waited for it (issue 7: single-record p99). One
// worker per process, started on the first batch and holding the process open only while it builds; should it
// fail, the tree is built on the main thread as before.
import { Worker } from "node:worker_threads";
import { buildTree } from "../merkle/index.ts";
import type { TreeJob, TreeResult } from "./tree-worker.ts";

export interface SealedTree {
  root: string;
  size: number;
  /** Every node, level by level (src/merkle/tree.ts nodes()). */
  nodes: Buffer;
}

let worker: Worker | null = null;
let nextId = 0;
const waiting = new Map<number, { resolve(tree: SealedTree): void; reject(error: Error): void }>();

function theWorker(): Worker {
  if (worker) return worker;
  const started = new Worker(new URL("./tree-worker.ts", import.meta.url));
  started.unref();
  started.on("message", (result: TreeResult) => {
    const waiter = waiting.get(result.id);
    waiting.delete(result.id);
    if (waiting.size === 0) started.unref();
    if (!waiter) return;
    if ("error" in result) waiter.reject(new Error(result.error));
    else waiter.resolve({ root: result.root, size: result.size, nodes: Buffer.from(result.nodes) });
  });
  const fail = (error: Error) => {
    if (worker === started) worker = null;
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
  };
  started.on("error", fail);
  started.on("exit", (code) => fail(new Error(`the tree worker exited (${code})`)));
  worker = started;
  return started;
}

/** The tree over `leafHashes` (32 bytes each, leaf-index order), built off the main thread when it can be. */
export async function buildSealedTree(leafHashes: Buffer): Promise<SealedTree> {
  try {
    const leaves = new Uint8Array(leafHashes.length);
    leaves.set(leafHashes);
    const id = nextId++;
    return await new Promise<SealedTree>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      const building = theWorker();
      // Held open while a tree is being built (a caller may wait on nothing else), never when idle.
      building.ref();
      building.postMessage({ id, leaves: leaves.buffer } satisfies TreeJob, [leaves.buffer]);
    });
  } catch {
    const tree = buildTree(Array.from({ length: leafHashes.length / 32 }, (_, i) => leafHashes.subarray(i * 32, i * 32 + 32)));
    return { root: tree.root.toString("hex"), size: tree.size, nodes: tree.nodes() };
  }
}
