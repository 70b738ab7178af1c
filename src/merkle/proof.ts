// RFC 9162 §2.1.3.2 "Verifying an Inclusion Proof", step by step and independent of the tree
// builder, so that a bug in one cannot hide a bug in the other. The contract's verifyInclusion
// implements the same steps in Solidity.
import { hash } from "node:crypto";

const NODE_PREFIX = 0x01;

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === 32;
}

function isIndex(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The root that `auditPath` leads to from `leafHash` at `leafIndex` in a tree of `treeSize`
 * leaves, or undefined when the path cannot belong to such a tree (wrong length, index out of
 * range, malformed input). Never throws.
 */
export function rootFromInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  auditPath: readonly Uint8Array[],
): Buffer | undefined {
  if (!isHash(leafHash) || !isIndex(leafIndex) || !isIndex(treeSize)) return undefined;
  if (!Array.isArray(auditPath) || !auditPath.every(isHash)) return undefined;

  // 1. leaf_index >= tree_size fails.
  if (leafIndex >= treeSize) return undefined;
  // 2. fn = leaf_index, sn = tree_size - 1 (bigint: the shifts below are the RFC's, on 64 bits).
  let fn = BigInt(leafIndex);
  let sn = BigInt(treeSize) - 1n;
  // 3. r = hash.
  let r: Buffer = Buffer.from(leafHash);
  const input = Buffer.alloc(65);
  input[0] = NODE_PREFIX;
  // 4. For each p in inclusion_path:
  for (const p of auditPath) {
    // a. sn == 0: the path is longer than the tree is deep.
    if (sn === 0n) return undefined;
    if ((fn & 1n) === 1n || fn === sn) {
      // b. r = HASH(0x01 || p || r) ...
      input.set(p, 1);
      input.set(r, 33);
      r = hash("sha256", input, "buffer");
      // ... and, for a right-edge node, skip the levels where it was promoted without a sibling.
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      // Otherwise r = HASH(0x01 || r || p).
      input.set(r, 1);
      input.set(p, 33);
      r = hash("sha256", input, "buffer");
    }
    // c. Right-shift fn and sn once.
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5. sn must be 0: a shorter path would stop below the root.
  return sn === 0n ? r : undefined;
}

/** RFC 9162 §2.1.3.2: true when `auditPath` proves `leafHash` is leaf `leafIndex` under `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  leafIndex: number,
  treeSize: number,
  auditPath: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(root)) return false;
  const computed = rootFromInclusion(leafHash, leafIndex, treeSize, auditPath);
  return computed !== undefined && computed.equals(root);
}

/**
 * How many hashes PATH(leafIndex, D[treeSize]) has (RFC 9162 §2.1.3.1), or undefined when the
 * index is not in the tree. Used to say why a path failed, not to verify it.
 */
export function inclusionPathLength(leafIndex: number, treeSize: number): number | undefined {
  if (!isIndex(leafIndex) || !isIndex(treeSize) || leafIndex >= treeSize) return undefined;
  let m = leafIndex;
  let n = treeSize;
  let length = 0;
  while (n > 1) {
    let k = 1;
    while (k * 2 < n) k *= 2;
    if (m < k) {
      n = k;
    } else {
      m -= k;
      n -= k;
    }
    length++;
  }
  return length;
}
