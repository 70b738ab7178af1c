import t from "tap";
import { TreeCache } from "../../src/records/tree-cache.ts";

const tree = (bytes: number, fill: number) => Buffer.alloc(bytes, fill);

t.test("keeps trees until their bytes pass the bound, then forgets the least recently used", async (t) => {
  const cache = new TreeCache(300);
  cache.set(1, tree(100, 1));
  cache.set(2, tree(100, 2));
  cache.set(3, tree(100, 3));
  t.ok(cache.get(1), "batch 1 read again: now the most recently used");
  cache.set(4, tree(100, 4));
  t.equal(cache.get(2), undefined, "batch 2, the least recently used, is gone");
  t.same([1, 3, 4].map((seq) => cache.get(seq)?.[0]), [1, 3, 4], "the others stay");
});

t.test("never keeps a tree larger than the whole bound", async (t) => {
  const cache = new TreeCache(100);
  cache.set(1, tree(50, 1));
  cache.set(2, tree(101, 2));
  t.equal(cache.get(2), undefined);
  t.equal(cache.get(1)?.[0], 1, "and does not evict for it");
});

t.test("replacing a tree counts its bytes once", async (t) => {
  const cache = new TreeCache(200);
  cache.set(1, tree(100, 1));
  cache.set(1, tree(100, 9));
  cache.set(2, tree(100, 2));
  t.same([cache.get(1)?.[0], cache.get(2)?.[0]], [9, 2]);
});
