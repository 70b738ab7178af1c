import t from "tap";
import { createHash } from "node:crypto";
import { auditPathPositions, buildTree } from "../../src/merkle/index.ts";

const leaf = (i: number) => createHash("sha256").update(`leaf ${i}`).digest();

t.test("the audit path read from the stored nodes at auditPathPositions is RFC 9162 PATH, for every leaf of trees of 1 to 70 leaves", async (t) => {
  let checked = 0;
  for (let size = 1; size <= 70; size++) {
    const tree = buildTree(Array.from({ length: size }, (_, i) => leaf(i)));
    const nodes = tree.nodes();
    for (let index = 0; index < size; index++) {
      const read = auditPathPositions(size, index).map((p) => nodes.subarray(32 * p, 32 * p + 32).toString("hex"));
      const expected = tree.auditPath(index).map((b) => b.toString("hex"));
      if (read.join() !== expected.join()) t.fail(`size ${size}, leaf ${index}`);
      checked++;
    }
    t.equal(nodes.subarray(nodes.length - 32).toString("hex"), tree.root.toString("hex"), `the last stored node of ${size} leaves is the root`);
  }
  t.equal(checked, (70 * 71) / 2, "every leaf of every size checked");
});

t.test("rejects a leaf index outside the tree", async (t) => {
  t.throws(() => auditPathPositions(8, 8), RangeError);
  t.throws(() => auditPathPositions(0, 0), RangeError);
  t.throws(() => auditPathPositions(8, -1), RangeError);
});
