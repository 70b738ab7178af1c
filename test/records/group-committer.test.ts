// The group committer on its own, against the test database: when a group opens, the order of
// its records, and what happens when a group's statement fails.
import { randomBytes, randomUUID } from "node:crypto";
import t from "tap";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { GroupCommitter, type GroupMember } from "../../src/records/group-commit.ts";
import { openTestDatabase } from "../support/database.ts";

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

t.test("the group committer", async (t) => {
  const { handle, teardown } = await openTestDatabase();
  t.teardown(teardown);
  const db = handle.db;
  const merchant = await createMerchant(db, "Shop A");
  const key = await issueApiKey(db, { role: "merchant", merchantId: merchant.id });
  const member = (subject: string): GroupMember => ({
    row: { id: randomUUID(), kind: "evidence.chat", subject, envelope: "{}", record_hash: hex(32), salt: hex(32), leaf_hash: hex(32), submitter_key_id: key.keyId, merchant_id: merchant.id },
    owner: { merchantId: merchant.id, keyId: null },
    idempotency: null,
  });
  const seqOf = async (ids: string[]) => {
    const rows = await db.selectFrom("records").select(["id", "seq"]).where("id", "in", ids).execute();
    const seq = new Map(rows.map((r) => [r.id, Number(r.seq)]));
    return ids.map((id) => seq.get(id));
  };

  t.test("a lone request does not wait for the window: with nothing open, its group opens at once", async (t) => {
    const groups = new GroupCommitter(db, { windowMs: 5_000, maxRecords: 100, transactions: 2 });
    const started = performance.now();
    t.equal(await groups.submit(member("lone")), "committed");
    t.ok(performance.now() - started < 2_500, `answered in ${(performance.now() - started).toFixed(0)} ms, not after the 5 s window`);
  });

  t.test("requests that arrive together form one group, in arrival order", async (t) => {
    const groups = new GroupCommitter(db, { windowMs: 2, maxRecords: 100, transactions: 2 });
    const members = Array.from({ length: 30 }, (_, i) => member(`order:together-${i}`));
    const outcomes = await Promise.all(members.map((m) => groups.submit(m)));
    t.same(new Set(outcomes), new Set(["committed"]));
    t.same(groups.stats(), { groups: 1, records: 30, split: 0, waiting: 0 }, "one transaction for all 30");
    const seqs = await seqOf(members.map((m) => m.row.id));
    t.same(seqs, [...seqs].sort((a, b) => a! - b!), "seq follows arrival order");
  });

  t.test("a group holds at most GROUP_COMMIT_MAX records", async (t) => {
    const groups = new GroupCommitter(db, { windowMs: 2, maxRecords: 8, transactions: 1 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => groups.submit(member(`order:max-${i}`))));
    t.equal(groups.stats().groups, 3, "20 records in groups of 8, 8 and 4");
  });

  t.test("a group whose statement fails is split: each member is committed on its own and gets its own answer", async (t) => {
    const groups = new GroupCommitter(db, { windowMs: 2, maxRecords: 100, transactions: 1 });
    const good = [member("order:split-1"), member("order:split-2")];
    const bad = member("order:split-\u0000");
    const answers = await Promise.allSettled([groups.submit(good[0]!), groups.submit(bad), groups.submit(good[1]!)]);
    t.same(answers.map((a) => a.status), ["fulfilled", "rejected", "fulfilled"]);
    t.match((answers[1] as PromiseRejectedResult).reason, { code: "22021" }, "the bad record gets PostgreSQL's error");
    t.same(groups.stats(), { groups: 2, records: 2, split: 1, waiting: 0 });
    t.equal((await seqOf(good.map((m) => m.row.id))).filter((s) => s !== undefined).length, 2, "the good records are stored");
  });

  t.test("drain() commits what waits without waiting for the window", async (t) => {
    const groups = new GroupCommitter(db, { windowMs: 50, maxRecords: 100, transactions: 1 });
    const pending = Array.from({ length: 5 }, (_, i) => groups.submit(member(`order:drain-${i}`)));
    await groups.drain();
    t.equal(groups.stats().waiting, 0);
    t.same(await Promise.all(pending), ["committed", "committed", "committed", "committed", "committed"]);
  });
});
