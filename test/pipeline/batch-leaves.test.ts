import t from "tap";
import { leavesInSeqOrder } from "../../src/pipeline/batch-leaves.ts";

const leaf = (n: number) => n.toString(16).padStart(2, "0").repeat(32);

t.test("leaves read in seq order stay in that order", async (t) => {
  const { leaves, seqs } = leavesInSeqOrder(leaf(1) + leaf(2) + leaf(3), "7,8,10");
  t.same(seqs, [7, 8, 10]);
  t.same(leaves.map((l) => l.toString("hex")), [leaf(1), leaf(2), leaf(3)]);
});

t.test("leaves read in another order are put in seq order, each with its own seq", async (t) => {
  const { leaves, seqs } = leavesInSeqOrder(leaf(3) + leaf(1) + leaf(2), "30,10,20");
  t.same(seqs, [10, 20, 30]);
  t.same(leaves.map((l) => l.toString("hex")), [leaf(1), leaf(2), leaf(3)]);
});

t.test("seqs are compared as numbers, not as text", async (t) => {
  const { seqs } = leavesInSeqOrder(leaf(1) + leaf(2), "100,99");
  t.same(seqs, [99, 100]);
});

t.test("a leaf count that does not match the seq count is refused", async (t) => {
  t.throws(() => leavesInSeqOrder(leaf(1), "1,2"), /2 seqs but 1 leaf hashes/);
});
