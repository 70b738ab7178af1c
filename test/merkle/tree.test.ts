// The merkletreejs-built batch tree is RFC 9162's tree, checked against the recursive reference
// in test/support/rfc9162.ts (written from §2.1.1 and §2.1.3.1, sharing no code with src/).
import t from "tap";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { buildTree, leafHash, leafHashBytes, verifyInclusion } from "../../src/merkle/index.ts";
import { leafHashes, mth, path } from "../support/rfc9162.ts";
import { allPaths } from "../support/rfc9162-all-paths.ts";

const hex = (b: Buffer) => b.toString("hex");

t.test("the root and every audit path equal RFC 9162's, and verify by §2.1.3.2, for every tree of 1 to 256 leaves", async (t) => {
  let paths = 0;
  for (let n = 1; n <= 256; n++) {
    const leaves = leafHashes(n, `size ${n}`);
    const tree = buildTree(leaves);
    if (!tree.root.equals(mth(leaves))) t.fail(`root of ${n}`);
    if (tree.size !== n) t.fail(`size of ${n}`);
    const reference = allPaths(leaves);
    for (let m = 0; m < n; m++) {
      const got = tree.auditPath(m).map(hex).join();
      if (got !== reference[m]!.map(hex).join()) t.fail(`path of leaf ${m} of ${n}`);
      // Up to 64 leaves, also against the reference's own one-leaf PATH(m, D[n]).
      if (n <= 64 && got !== path(m, leaves).map(hex).join()) t.fail(`PATH(${m}, D[${n}])`);
      if (!verifyInclusion(leaves[m]!, m, n, tree.auditPath(m), tree.root)) t.fail(`verification of leaf ${m} of ${n}`);
      paths++;
    }
  }
  t.equal(paths, (256 * 257) / 2, "checked every path");
});

t.test("large trees have RFC 9162's root and, for a sample of leaves, its audit paths", async (t) => {
  for (const n of [1000, 4097, 65537, 100_000]) {
    const leaves = leafHashes(n, `large ${n}`);
    const tree = buildTree(leaves);
    t.equal(hex(tree.root), hex(mth(leaves)), `root of ${n}`);
    // First and last leaves, the edges of the largest power-of-two subtree, a few in between.
    const k = 2 ** Math.floor(Math.log2(n - 1));
    const sample = [0, k - 1, k, n - 1];
    for (const m of sample) t.same(tree.auditPath(m).map(hex), path(m, leaves).map(hex), `path of leaf ${m} of ${n}`);
  }
});

t.test("the audit paths of all 10,000 leaves of a batch take well under a second", async (t) => {
  const tree = buildTree(leafHashes(10_000));
  const start = performance.now();
  let hashes = 0;
  for (let m = 0; m < tree.size; m++) hashes += tree.auditPath(m).length;
  const ms = performance.now() - start;
  t.ok(ms < 1000, `took ${ms.toFixed(1)} ms`);
  t.ok(hashes > 10_000 * 13, "paths of 13 or 14 hashes");
});

t.test("still builds the frozen trees of test/fixtures/merkle-trees.json", async (t) => {
  const { trees } = JSON.parse(readFileSync(new URL("../fixtures/merkle-trees.json", import.meta.url), "utf8")) as {
    trees: { size: number; leaves: string[]; root: string; auditPaths: string[][] }[];
  };
  t.same(trees.map((x) => x.size), [1, 2, 3, 4, 5, 7, 8, 16, 31, 100]);
  for (const vector of trees) {
    const tree = buildTree(vector.leaves.map((l) => Buffer.from(l, "hex")));
    t.equal(hex(tree.root), vector.root, `root of ${vector.size}`);
    t.same(vector.leaves.map((_, m) => tree.auditPath(m).map(hex)), vector.auditPaths, `paths of ${vector.size}`);
  }
});

t.test("a tree of one leaf has that leaf hash as its root and an empty audit path", async (t) => {
  const [leaf] = leafHashes(1);
  const tree = buildTree([leaf!]);
  t.ok(tree.root.equals(leaf!));
  t.same(tree.auditPath(0), []);
});

t.test("interior nodes are SHA-256(0x01 || left || right)", async (t) => {
  const [a, b] = leafHashes(2);
  const expected = createHash("sha256").update(Buffer.from([1])).update(a!).update(b!).digest();
  t.ok(buildTree([a!, b!]).root.equals(expected));
});

t.test("a leaf hash is SHA-256(0x00 || salt || recordHash) over 65 bytes", async (t) => {
  const salt = createHash("sha256").update("salt").digest();
  const record = createHash("sha256").update("record").digest();
  const expected = createHash("sha256").update(Buffer.concat([Buffer.from([0]), salt, record])).digest();
  t.ok(leafHashBytes(salt, record).equals(expected));
  t.equal(leafHash(hex(salt), hex(record)), hex(expected));
  t.throws(() => leafHash(hex(salt).toUpperCase(), hex(record)), TypeError, "upper-case hex is not receipt hex");
  t.throws(() => leafHashBytes(salt.subarray(1), record), RangeError, "31-byte salt");
});

t.test("leaf order matters: swapping two leaves changes the root (no sorted pairs)", async (t) => {
  const leaves = leafHashes(4);
  const swapped = [leaves[1]!, leaves[0]!, leaves[2]!, leaves[3]!];
  t.notOk(buildTree(leaves).root.equals(buildTree(swapped).root));
});

t.test("an odd last node is promoted, not duplicated", async (t) => {
  const leaves = leafHashes(3);
  const duplicated = [...leaves, leaves[2]!];
  t.notOk(buildTree(leaves).root.equals(buildTree(duplicated).root));
});

t.test("refuses an empty batch, leaves that are not 32-byte Buffers, and indices outside the tree", async (t) => {
  t.throws(() => buildTree([]), RangeError);
  t.throws(() => buildTree([Buffer.alloc(31)]), TypeError);
  t.throws(() => buildTree(["00".repeat(32) as unknown as Buffer]), TypeError);
  const tree = buildTree(leafHashes(5));
  for (const bad of [-1, 5, 1.5, Number.NaN, 2 ** 60]) t.throws(() => tree.auditPath(bad), RangeError, `index ${bad}`);
});
