// A deliberately naive, recursive RFC 9162 Merkle tree, written straight from the text of
// §2.1.1 (MTH) and §2.1.3.1 (PATH), used as the reference that the contract is checked against.
// Leaves here are already leaf hashes (the contract never sees leaf data), so MTH of one leaf
// is that leaf hash itself.
import { createHash } from "node:crypto";

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest();
}

/** The largest power of two smaller than n (n > 1). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 §2.1.1: MTH(D[n]) over leaf hashes. */
export function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) throw new Error("MTH of the empty list is not used here");
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return sha256(Buffer.from([0x01]), mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.1: PATH(m, D[n]), leaf to root. */
export function path(m: number, leaves: readonly Buffer[]): Buffer[] {
  const n = leaves.length;
  if (m < 0 || m >= n) throw new Error(`leaf ${m} is not in a tree of ${n}`);
  if (n === 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** `n` distinct, arbitrary 32-byte leaf hashes, the same on every run. */
export function leafHashes(n: number, seed = "tracemark"): Buffer[] {
  return Array.from({ length: n }, (_, i) => sha256(Buffer.from(`${seed}/leaf/${i}`)));
}

export function hex(b: Buffer): string {
  return `0x${b.toString("hex")}`;
}

/**
 * Where the sibling sits at each step of PATH(m, D[n]), leaf to root ("L" = sibling on the left).
 * Two (m, n) pairs with the same shape are verified by the very same hash sequence, which is why
 * RFC 9162 verification binds the tree size only as far as it changes this shape; the root does
 * the rest.
 */
export function pathShape(m: number, n: number): string {
  if (n === 1) return "";
  const k = splitPoint(n);
  return m < k ? `${pathShape(m, k)}R` : `${pathShape(m - k, n - k)}L`;
}
