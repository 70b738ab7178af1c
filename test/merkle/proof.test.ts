// verifyInclusion is RFC 9162 §2.1.3.2, checked against paths from the recursive reference.
import t from "tap";
import { inclusionPathLength, rootFromInclusion, verifyInclusion } from "../../src/merkle/index.ts";
import { leafHashes, mth, path, pathShape } from "../support/rfc9162.ts";
import { allPaths } from "../support/rfc9162-all-paths.ts";

const flipped = (b: Buffer) => {
  const c = Buffer.from(b);
  c[31] = c[31]! ^ 1;
  return c;
};

t.test("accepts RFC 9162 audit paths for every leaf of every tree of 1 to 256 leaves", async (t) => {
  let bad = 0;
  for (let n = 1; n <= 256; n++) {
    const leaves = leafHashes(n, `proof ${n}`);
    const root = mth(leaves);
    const paths = allPaths(leaves);
    for (let m = 0; m < n; m++) {
      const p = paths[m]!;
      if (!verifyInclusion(leaves[m]!, m, n, p, root)) bad++;
      if (inclusionPathLength(m, n) !== p.length) bad++;
    }
  }
  t.equal(bad, 0);
});

t.test("rejects a proof for any other leaf index of the same tree", async (t) => {
  let accepted = 0;
  for (let n = 1; n <= 24; n++) {
    const leaves = leafHashes(n);
    const root = mth(leaves);
    for (let m = 0; m < n; m++) {
      const p = path(m, leaves);
      for (let other = 0; other < n + 2; other++) {
        if (other !== m && verifyInclusion(leaves[m]!, other, n, p, root)) accepted++;
      }
    }
  }
  t.equal(accepted, 0);
});

t.test("binds the tree size exactly as far as it changes the path's shape (why the chain's treeSize is checked too)", async (t) => {
  let mismatches = 0;
  for (let n = 1; n <= 32; n++) {
    const leaves = leafHashes(n);
    const root = mth(leaves);
    for (let m = 0; m < n; m++) {
      const p = path(m, leaves);
      for (let size = 1; size <= 40; size++) {
        const sameShape = m < size && pathShape(m, size) === pathShape(m, n);
        if (verifyInclusion(leaves[m]!, m, size, p, root) !== sameShape) mismatches++;
      }
    }
  }
  t.equal(mismatches, 0);
});

t.test("rejects a reordered, truncated, extended or altered path, a wrong leaf and a wrong root", async (t) => {
  const n = 21;
  const leaves = leafHashes(n);
  const root = mth(leaves);
  for (let m = 0; m < n; m++) {
    const p = path(m, leaves);
    const leaf = leaves[m]!;
    t.notOk(verifyInclusion(leaf, m, n, p.slice(0, -1), root), `truncated (${m})`);
    t.notOk(verifyInclusion(leaf, m, n, [...p, leaves[0]!], root), `extended (${m})`);
    if (p.length > 1) t.notOk(verifyInclusion(leaf, m, n, [p[1]!, p[0]!, ...p.slice(2)], root), `reordered (${m})`);
    for (let i = 0; i < p.length; i++) {
      const altered = p.map((h, j) => (j === i ? flipped(h) : h));
      if (verifyInclusion(leaf, m, n, altered, root)) t.fail(`altered hash ${i} (${m})`);
    }
    t.notOk(verifyInclusion(flipped(leaf), m, n, p, root), `wrong leaf (${m})`);
    t.notOk(verifyInclusion(leaf, m, n, p, flipped(root)), `wrong root (${m})`);
  }
});

t.test("accepts an interior node as a leaf only under a smaller tree size, which the anchored treeSize rules out", async (t) => {
  // §2.1.3.2 verifies leaf hashes, so the node over leaves 0 and 1 of a 4-leaf tree does pass as
  // leaf 0 of a 2-leaf tree. Receipts close this twice: the leafHash step recomputes the leaf
  // from 0x00 || salt || recordHash (an interior node is 0x01 || ...), and the chain's treeSize
  // for the root must equal the receipt's.
  const leaves = leafHashes(4);
  const root = mth(leaves);
  const node01 = mth(leaves.slice(0, 2));
  t.ok(verifyInclusion(node01, 0, 2, [mth(leaves.slice(2))], root), "as leaf 0 of 2");
  t.notOk(verifyInclusion(node01, 0, 4, [mth(leaves.slice(2))], root), "as leaf 0 of 4");
});

t.test("answers false, never throws, for malformed input", async (t) => {
  const leaves = leafHashes(8);
  const root = mth(leaves);
  const p = path(3, leaves);
  const bad: [string, () => boolean][] = [
    ["a negative index", () => verifyInclusion(leaves[3]!, -1, 8, p, root)],
    ["a fractional index", () => verifyInclusion(leaves[3]!, 3.5, 8, p, root)],
    ["a NaN index", () => verifyInclusion(leaves[3]!, Number.NaN, 8, p, root)],
    ["an index beyond 2^53", () => verifyInclusion(leaves[3]!, 2 ** 60, 2 ** 61, p, root)],
    ["a tree size of 0", () => verifyInclusion(leaves[3]!, 0, 0, [], root)],
    ["a 31-byte leaf", () => verifyInclusion(leaves[3]!.subarray(1), 3, 8, p, root)],
    ["a 33-byte path hash", () => verifyInclusion(leaves[3]!, 3, 8, [Buffer.alloc(33), ...p.slice(1)], root)],
    ["a 31-byte root", () => verifyInclusion(leaves[3]!, 3, 8, p, root.subarray(1))],
    ["a string leaf", () => verifyInclusion("00" as unknown as Buffer, 3, 8, p, root)],
    ["a null path", () => verifyInclusion(leaves[3]!, 3, 8, null as unknown as Buffer[], root)],
    ["a path of strings", () => verifyInclusion(leaves[3]!, 3, 8, p.map((h) => h.toString("hex")) as unknown as Buffer[], root)],
  ];
  for (const [what, call] of bad) t.equal(call(), false, what);
  t.equal(rootFromInclusion(leaves[3]!, 3, 8, p.slice(1)), undefined, "no root from a short path");
  t.ok(rootFromInclusion(leaves[3]!, 3, 8, p)?.equals(root), "the root from a good path");
});
