// Every audit path of a tree at once, from the same RFC 9162 §2.1.3.1 recursion as PATH in
// rfc9162.ts: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, and
// PATH(m - k, D[k:n]) : MTH(D[0:k]) otherwise. Each subtree hash is computed once instead of once
// per leaf, which makes checking every path of every tree up to 256 leaves take a second.
import { mth, splitPoint } from "./rfc9162.ts";

export function allPaths(leaves: readonly Buffer[]): Buffer[][] {
  if (leaves.length === 0) throw new Error("no leaves");
  if (leaves.length === 1) return [[]];
  const k = splitPoint(leaves.length);
  const left = leaves.slice(0, k);
  const right = leaves.slice(k);
  const leftRoot = mth(left);
  const rightRoot = mth(right);
  return [...allPaths(left).map((p) => [...p, rightRoot]), ...allPaths(right).map((p) => [...p, leftRoot])];
}
