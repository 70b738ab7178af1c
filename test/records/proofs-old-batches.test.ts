// Audit paths of old batches are read node by node (substrings of the stored tree), of recent ones
// from the whole tree (src/records/proofs.ts): both give the same receipts, byte for byte.
import t from "tap";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { sealingOf } from "../../src/records/proofs.ts";
import { treeCacheOf } from "../../src/records/tree-cache.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

t.test("a record's proof is the same whether its batch is read whole or node by node", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const shop = await merchantKey(h.database);
  const ids: string[] = [];
  // Three batches of uneven sizes, so that audit paths have their odd right edges.
  for (const size of [7, 1, 13]) {
    for (let i = 0; i < size; i++) {
      const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(shop), payload: { kind: "note", subject: `urn:x:${ids.length}`, payload: { n: ids.length } } });
      t.equal(res.statusCode, 202);
      ids.push(res.json().id as string);
    }
    t.ok(await sealBatch(h.database.db, 10_000), `a batch of ${size} sealed`);
  }
  const rows = await h.database.db.selectFrom("records").selectAll().where("id", "in", ids).execute();

  const proofs = async (asOld: boolean) =>
    h.database.db.transaction().execute(async (tx) => {
      // A transaction has a tree cache of its own; a newest batch far ahead makes these three old.
      if (asOld) treeCacheOf(tx).newestAsked = 1_000_000;
      const found = await sealingOf(tx, rows);
      return { found, cached: [1, 2, 3].filter((seq) => treeCacheOf(tx).get(seq) !== undefined) };
    });
  const whole = await proofs(false);
  const sliced = await proofs(true);
  t.same(whole.cached.length, 3, "recent batches are read whole and kept");
  t.same(sliced.cached, [], "old batches are read node by node and not kept");
  t.equal(sliced.found.size, ids.length);
  for (const id of ids) {
    const [a, b] = [whole.found.get(id)!, sliced.found.get(id)!];
    t.same({ leafIndex: b.leafIndex, auditPath: b.auditPath, batch: b.batch.seq }, { leafIndex: a.leafIndex, auditPath: a.auditPath, batch: a.batch.seq }, `record ${ids.indexOf(id)}: the same proof`);
  }
});
