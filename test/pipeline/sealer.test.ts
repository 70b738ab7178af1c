import t from "tap";
import { sql } from "kysely";
import pg from "pg";
import { buildTree, verifyInclusion } from "../../src/merkle/index.ts";
import { sealBatch, sealedThrough, sealIsDue } from "../../src/pipeline/sealer.ts";
import { settledSequence } from "../../src/pipeline/settled.ts";
import { findRecords } from "../../src/records/repository.ts";
import { receiptOf } from "../../src/records/receipts.ts";
import { usingPostgres } from "../support/database.ts";
import { pipelineHarness } from "../support/pipeline.ts";

t.test("the sealer", async (t) => {
  const h = await pipelineHarness();
  t.teardown(h.close);
  const db = h.database.db;
  const recordsOf = (batch: number) =>
    db.selectFrom("batches").innerJoin("records", (j) => j.on("records.batch_seq", "is", null).onRef("records.seq", ">=", "batches.records_from").onRef("records.seq", "<=", "batches.records_to"))
      .selectAll("records").where("batches.seq", "=", batch).orderBy("records.seq").execute();

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

  t.test("seals the oldest records into one batch with the RFC 9162 root, without writing to them", async (t) => {
    await h.accept(10);
    const before = await db.selectFrom("records").selectAll().orderBy("seq").execute();
    const batch = await sealBatch(db, 8);
    t.ok(batch);
    t.equal(batch!.treeSize, 8, "no more than batchMax");
    const rows = await recordsOf(batch!.seq);
    t.same(rows.map((r) => r.seq), before.slice(0, 8).map((r) => r.seq), "the oldest first, in seq order");
    t.same(await db.selectFrom("records").selectAll().orderBy("seq").execute(), before, "no record row changed");
    t.equal(await sealedThrough(db), Number(rows.at(-1)!.seq), "the watermark is the batch's last record");
    const tree = buildTree(rows.map((r) => Buffer.from(r.leaf_hash, "hex")));
    t.equal(batch!.root, tree.root.toString("hex"));

    const found = await findRecords(db, rows.map((r) => r.id));
    for (const [i, record] of found.entries()) {
      const receipt = receiptOf(record);
      t.equal(receipt.inclusion?.leafIndex, i, `record ${i} has leaf index ${i}`);
      const path = receipt.inclusion!.auditPath.map((p) => Buffer.from(p, "hex"));
      t.ok(verifyInclusion(Buffer.from(record.leaf_hash, "hex"), i, 8, path, tree.root), `and its derived audit path verifies`);
    }
    t.equal(receiptOf(found[3]!).inclusion?.treeSize, 8);
    t.equal(receiptOf(found[3]!).anchor, null, "sealed, not yet anchored");
  });

  t.test("the next batch takes the rest, with the next sequence number", async (t) => {
    const batch = await sealBatch(db, 100);
    t.equal(batch!.seq, 2);
    t.equal(batch!.treeSize, 5);
    t.equal(await sealBatch(db, 100), null);
    const [unsealed] = await h.accept(1);
    const [record] = await findRecords(db, [unsealed!]);
    t.equal(record!.batch, null, "a record accepted after the last batch is in none");
    t.equal(receiptOf(record!).inclusion, null);
  });

  t.test("moves the watermark past seqs whose inserts rolled back", async (t) => {
    await sealBatch(db, 100);
    // What a rolled-back insert leaves behind: seqs drawn that no record will ever have.
    await sql`select nextval('records_seq_seq')`.execute(db);
    const drawn = Number((await sql<{ n: string }>`select nextval('records_seq_seq') as n`.execute(db)).rows[0]!.n);
    t.equal(await sealBatch(db, 100), null, "nothing to seal");
    t.equal(await sealedThrough(db), drawn, "but nothing below the last drawn seq is waited for");
  });

  t.test("a batch whose range has holes still gives each record its leaf index and path", async (t) => {
    const [first] = await h.accept(1);
    const hole = Number((await sql<{ n: string }>`select nextval('records_seq_seq') as n`.execute(db)).rows[0]!.n);
    const [second, third] = await h.accept(2);
    const batch = await sealBatch(db, 100);
    const [row] = await db.selectFrom("batches").select("holes").where("seq", "=", batch!.seq).execute();
    t.same(row!.holes.map(Number), [hole], "the rolled-back seq is the batch's hole");
    const found = await findRecords(db, [first!, second!, third!]);
    t.same(found.map((r) => r.sealedAt?.leafIndex), [0, 1, 2]);
    const root = Buffer.from(batch!.root, "hex");
    for (const r of found) {
      const path = r.sealedAt!.auditPath.map((p) => Buffer.from(p, "hex"));
      t.ok(verifyInclusion(Buffer.from(r.leaf_hash, "hex"), r.sealedAt!.leafIndex, 3, path, root), `leaf ${r.sealedAt!.leafIndex} verifies`);
    }
  });
});

t.test("a batch's leaves are in seq order even where the table holds its rows in another order", async (t) => {
  const h = await pipelineHarness();
  t.teardown(h.close);
  const db = h.database.db;
  await h.accept(1);
  await sealBatch(db, 100);
  const from = await sealedThrough(db);
  // Rows written in descending seq order, as concurrent inserts can leave them on a heap page.
  const seqs = [from + 3, from + 2, from + 1];
  await sql`select setval('records_seq_seq', ${from + 3})`.execute(db);
  await sql`
    insert into records (id, seq, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id)
    select gen_random_uuid(), s, 'evidence.chat', 'order:' || s, '{}', repeat('a', 64), repeat('b', 64), encode(sha256(s::text::bytea), 'hex'), ${h.principal.keyId}
      from unnest(${seqs}::bigint[]) with ordinality as u(s, n) order by n`.execute(db);
  const physical = await sql<{ seq: string }>`select seq from records where seq > ${from} and batch_seq is null`.execute(db);
  t.same(physical.rows.map((r) => Number(r.seq)), seqs, "the table scans them in descending order");

  const batch = await sealBatch(db, 100);
  const rows = await db.selectFrom("records").select(["id", "seq", "leaf_hash"]).where("seq", ">", String(from)).orderBy("seq").execute();
  t.equal(batch!.root, buildTree(rows.map((r) => Buffer.from(r.leaf_hash, "hex"))).root.toString("hex"), "the root is that of the leaves in seq order");
  const found = await findRecords(db, rows.map((r) => r.id));
  t.same(found.map((r) => r.sealedAt?.leafIndex), [0, 1, 2], "and each record's leaf index is its place in seq order");
});

t.test("a record that commits after a record with a higher seq is never skipped", { skip: usingPostgres ? false : "needs two PostgreSQL sessions" }, async (t) => {
  const h = await pipelineHarness();
  t.teardown(h.close);
  const db = h.database.db;
  const settled = settledSequence();
  const url = h.config.DATABASE_URL as string;
  const late = new pg.Client({ connectionString: url });
  await late.connect();
  t.teardown(() => late.end());

  await h.accept(2);
  await settled.through(db);
  // A second session draws the next seq and keeps its transaction open…
  await late.query("begin");
  const { rows } = await late.query<{ seq: string }>(
    `insert into records (id, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id)
     select gen_random_uuid(), 'evidence.chat', 'late', '{}', repeat('a', 64), repeat('b', 64), repeat('c', 64), $1 returning seq`,
    [h.principal.keyId],
  );
  const lateSeq = Number(rows[0]!.seq);
  // …while later records commit with higher seqs.
  await h.accept(3);
  t.equal(await settled.through(db), lateSeq - 1, "seqs from the open transaction's on are not settled");
  const first = await sealBatch(db, 100, settled);
  t.equal(first?.treeSize, 2, "only the records below the open transaction are sealed");
  t.equal(await sealedThrough(db), lateSeq - 1);
  t.equal(await sealIsDue(db, { batchMax: 1, intervalMs: 0 }, settled), false, "nothing is due while it stays open");
  t.same(settled.heldBy()?.pids.length, 1, "and the tracker names the session holding sealing back");

  await late.query("commit");
  const second = await sealBatch(db, 100, settled);
  t.equal(second?.treeSize, 4, "once it commits, the late record and the three after it are sealed together");
  const [lateRow] = await db.selectFrom("records").select("id").where("seq", "=", String(lateSeq)).execute();
  const [record] = await findRecords(db, [lateRow!.id]);
  t.equal(record!.batch?.seq, second!.seq, "the late record is in the second batch");
  t.equal(record!.sealedAt?.leafIndex, 0, "as its first leaf");
});
