// Builds a batch's tree on a worker thread. The sealer runs in an API process: a 10,000-leaf tree
// is ~20,000 SHA-256 calls, and the leaves come unordered from the database (batch-leaves.ts),
// tens of milliseconds during which that process would answer nothing, once per batch; every
// request in flight then waited for it (issue 7: single-record p99). One worker per process,
// started when the process starts sealing (warmTreeWorker: loading it costs the first batch
// ~0.5 s otherwise) and holding the process open only while it builds; should it fail, the tree
// is built on the main thread as before.
import { Worker } from "node:worker_threads";
import { buildBatchTree, type SealedTree } from "./batch-leaves.ts";

export interface TreeJob {
  id: number;
  /** The batch's leaf hashes as hex and its seqs, comma-separated, pairwise in any order (batch-leaves.ts). */
  leaves: string;
  seqs: string;
}

export type TreeResult = { id: number; root: string; size: number; nodes: ArrayBuffer; seqs: ArrayBuffer } | { id: number; error: string };

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
    else waiter.resolve({ root: result.root, size: result.size, nodes: Buffer.from(result.nodes), seqs: Array.from(new Float64Array(result.seqs)) });
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

function onWorker(leaves: string, seqs: string): Promise<SealedTree> {
  const id = nextId++;
  return new Promise<SealedTree>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    const building = theWorker();
    // Held open while a tree is being built (a caller may wait on nothing else), never when idle.
    building.ref();
    building.postMessage({ id, leaves, seqs } satisfies TreeJob);
  });
}

/** The tree over a batch's waiting records (as sealer.ts reads them), built off the main thread when it can be. */
export async function buildSealedTree(leavesHex: string, seqsCsv: string): Promise<SealedTree> {
  try {
    return await onWorker(leavesHex, seqsCsv);
  } catch {
    return buildBatchTree(leavesHex, seqsCsv);
  }
}

/** Starts the worker and has it load its code, so that the first batch does not wait for that. */
export async function warmTreeWorker(): Promise<void> {
  await onWorker("00".repeat(32), "1").catch(() => {});
}
