// Measures the Merkle tree against the hash it is made of. N leaves cost N leaf hashes plus
// N - 1 node hashes, so a builder that adds nothing to the hashing runs at half the raw SHA-256
// rate: the ratio is 0.5 at best, and the target is at least 0.4.
//
// "Raw SHA-256" is measured two ways, because for a 65-byte input the hash is the smaller part of
// the cost of node:crypto's hash(..., "buffer"): giving each digest its own ArrayBuffer costs about
// twice the hashing. rawSha256PerSec is that call (what createHash().update().digest() or
// hash(..., "buffer") give a caller, a Buffer per hash); hashOnlyPerSec asks for a "binary" (latin1)
// string digest, which allocates no buffer and is as close to the bare compression function as Node gets.
// src/merkle/leaf.ts's digest() turns the latin1 string into a pooled Buffer, which is why the tree
// can beat half of rawSha256PerSec.
import { hash, randomBytes } from "node:crypto";
import { buildTree } from "../../src/merkle/tree.ts";
import { leafHashBytes } from "../../src/merkle/leaf.ts";

export interface TreeBenchRow {
  leaves: number;
  /** Leaves per second, leaf hashing (salt || recordHash) included. */
  leavesPerSec: number;
  /** leavesPerSec / rawSha256PerSec measured alongside it (target >= 0.4). */
  ratio: number;
  /** leavesPerSec / hashOnlyPerSec measured alongside it (0.5 would be zero overhead). */
  ratioHashOnly: number;
  /** Best build time, ms. */
  ms: number;
}

export interface TreeBenchResult {
  /** One-shot SHA-256 of a 65-byte input (a leaf's or node's input size) to a Buffer, per second. */
  rawSha256PerSec: number;
  /** The same hash with a string digest (no buffer allocated), per second. */
  hashOnlyPerSec: number;
  trees: TreeBenchRow[];
  /** Time to produce the audit path of every leaf of a 10,000-leaf batch, ms. */
  auditPaths10kMs: number;
}

function nowMs(): number {
  return performance.now();
}

/** Best of `runs` timings of `fn`, ms. */
function best(runs: number, fn: () => void): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = nowMs();
    fn();
    min = Math.min(min, nowMs() - start);
  }
  return min;
}

/** Time of `count` one-shot SHA-256 calls over a 65-byte input, ms. */
function rawHashes(input: Buffer, count: number, output: "buffer" | "latin1"): number {
  const start = nowMs();
  if (output === "buffer") for (let i = 0; i < count; i++) hash("sha256", input, "buffer");
  else for (let i = 0; i < count; i++) hash("sha256", input, "binary");
  return nowMs() - start;
}

function records(n: number): { salts: Buffer[]; recordHashes: Buffer[] } {
  return {
    salts: Array.from({ length: n }, () => randomBytes(32)),
    recordHashes: Array.from({ length: n }, () => randomBytes(32)),
  };
}

function buildFromRecords(salts: Buffer[], recordHashes: Buffer[]): Buffer {
  const leaves = new Array<Buffer>(salts.length);
  for (let i = 0; i < salts.length; i++) leaves[i] = leafHashBytes(salts[i]!, recordHashes[i]!);
  return buildTree(leaves).root;
}

/**
 * The raw rate and the tree rate are measured in alternating rounds over the same number of
 * hashes (a tree of N leaves makes 2N - 1), and the best round of each is kept, so that a busy
 * machine slows both alike instead of skewing the ratio.
 */
export async function benchTree(sizes: readonly number[] = [10_000, 100_000]): Promise<TreeBenchResult> {
  const input = randomBytes(65);
  // Warm up both paths so the JIT has compiled them before anything is timed.
  const warm = records(20_000);
  for (let i = 0; i < 5; i++) {
    buildFromRecords(warm.salts, warm.recordHashes);
    rawHashes(input, 40_000, "buffer");
    rawHashes(input, 40_000, "latin1");
  }

  let rawSha256PerSec = 0;
  let hashOnlyPerSec = 0;
  const trees: TreeBenchRow[] = [];
  for (const leaves of sizes) {
    const { salts, recordHashes } = records(leaves);
    const hashes = 2 * leaves - 1;
    let rawMs = Infinity;
    let hashOnlyMs = Infinity;
    let treeMs = Infinity;
    for (let round = 0; round < (leaves > 50_000 ? 7 : 15); round++) {
      rawMs = Math.min(rawMs, rawHashes(input, hashes, "buffer"));
      hashOnlyMs = Math.min(hashOnlyMs, rawHashes(input, hashes, "latin1"));
      treeMs = Math.min(treeMs, best(1, () => buildFromRecords(salts, recordHashes)));
    }
    const raw = (hashes / rawMs) * 1000;
    const hashOnly = (hashes / hashOnlyMs) * 1000;
    rawSha256PerSec = Math.max(rawSha256PerSec, raw);
    hashOnlyPerSec = Math.max(hashOnlyPerSec, hashOnly);
    const leavesPerSec = (leaves / treeMs) * 1000;
    trees.push({ leaves, leavesPerSec, ratio: leavesPerSec / raw, ratioHashOnly: leavesPerSec / hashOnly, ms: treeMs });
  }

  const tenK = records(10_000);
  const tree = buildTree(tenK.salts.map((s, i) => leafHashBytes(s, tenK.recordHashes[i]!)));
  const auditPaths10kMs = best(5, () => {
    for (let i = 0; i < tree.size; i++) tree.auditPath(i);
  });
  return { rawSha256PerSec, hashOnlyPerSec, trees, auditPaths10kMs };
}
