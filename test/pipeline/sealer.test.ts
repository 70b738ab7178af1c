import t from "tap";
import { buildTree, verifyInclusion } from "../../src/merkle/index.ts";
import { sealBatch, sealIsDue } from "../../src/pipeline/sealer.ts";
import { findRecords } from "../../src/records/repository.ts";
import { receiptOf, splitAuditPath } from "../../src/records/receipts.ts";
import { pipelineHarness } from "../support/pipeline.ts";

t.test("the sealer", async (t) => {
  const h = await pipelineHarness();
  t.teardown(h.close);
  const db = h.database.db;

  t.test("has nothing to seal when no record waits", async (t) => {
    t.equal(await sealIsDue(db, { batchMax: 10, intervalMs: 0 }), false);
    t.equal(await sealBatch(db, 10), null);
  });

  t.test("is due when batchMax records wait, or when the oldest waited intervalMs", async (t) => {
    await h.accept(3);
    t.equal(await sealIsDue(db, { batchMax: 3, intervalMs: 3_600_000 }), true, "by count");
    t.equal(await sealIsDue(db, { batchMax: 4, intervalMs: 3_600_000 }), false, "not yet");
    await new Promise((r) => setTimeout(r, 30));
    t.equal(await sealIsDue(db, { batchMax: 4, intervalMs: 20 }), true, "by age");
  });

  t.test("seals the oldest records into one batch with the RFC 9162 root and every audit path", async (t) => {
    await h.accept(10);
    const batch = await sealBatch(db, 8);
    t.ok(batch);
    t.equal(batch!.treeSize, 8, "no more than batchMax");
    const rows = await db.selectFrom("records").selectAll().where("batch_seq", "=", batch!.seq).orderBy("leaf_index").execute();
    t.same(rows.map((r) => r.leaf_index), [0, 1, 2, 3, 4, 5, 6, 7]);
    const allSeqs = (await db.selectFrom("records").select("seq").orderBy("seq").execute()).map((r) => Number(r.seq));
    t.same(rows.map((r) => Number(r.seq)), allSeqs.slice(0, 8), "the oldest first");
    const tree = buildTree(rows.map((r) => Buffer.from(r.leaf_hash, "hex")));
    t.equal(batch!.root, tree.root.toString("hex"));
    for (const r of rows) {
      const path = splitAuditPath(r.audit_path).map((p) => Buffer.from(p, "hex"));
      t.ok(verifyInclusion(Buffer.from(r.leaf_hash, "hex"), r.leaf_index!, 8, path, tree.root), `leaf ${r.leaf_index} verifies`);
    }
    const [record] = await findRecords(db, [rows[3]!.id]);
    const receipt = receiptOf(record!);
    t.equal(receipt.inclusion?.treeSize, 8);
    t.equal(receipt.anchor, null, "sealed, not yet anchored");
  });

  t.test("the next batch takes the rest, with the next sequence number", async (t) => {
    const batch = await sealBatch(db, 100);
    t.equal(batch!.seq, 2);
    t.equal(batch!.treeSize, 5);
    t.equal(await sealBatch(db, 100), null);
  });
});
