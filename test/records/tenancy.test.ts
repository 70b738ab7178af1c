import { randomUUID } from "node:crypto";
import t from "tap";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

/** What a client can compare between two error answers: everything but the request id. */
const errorOf = (res: { statusCode: number; json(): { error: { code: string; message: string; field?: string } } }) => {
  const { code, message, field } = res.json().error;
  return { status: res.statusCode, code, message, field };
};

t.test("tenancy: a merchant sees and appends to only its own records and subjects", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const shopA = await merchantKey(h.database, "Shop A");
  const shopB = await merchantKey(h.database, "Shop B");
  const shopA2 = await issueApiKey(h.database.db, { role: "merchant", merchantId: shopA.merchantId });
  const mediator = await issueApiKey(h.database.db, { role: "mediator" });
  const otherAdmin = await issueApiKey(h.database.db, { role: "admin" });

  const write = (key: { token: string }, record: object) => h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(key), payload: record });
  const writeBatch = (key: { token: string }, records: object[]) => h.app.inject({ method: "POST", url: "/v1/records/batch", headers: bearer(key), payload: { records } });
  const read = (key: { token: string }, path: string) => h.app.inject({ method: "GET", url: path, headers: bearer(key) });
  const recordCount = async (subject: string) =>
    Number((await h.database.db.selectFrom("records").select((eb) => eb.fn.countAll().as("n")).where("subject", "=", subject).executeTakeFirstOrThrow()).n);
  const subjectRow = (subject: string) => h.database.db.selectFrom("subjects").selectAll().where("subject", "=", subject).executeTakeFirst();

  const first = (await write(shopA, { kind: "provenance.origin", subject: "item:silk-1", payload: { farm: "Huzhou" } })).json();
  const firstHash: string = first.receipt.record.recordHash;

  t.test("merchant B cannot read A's record or its receipt: the same 404 as a random id", async (t) => {
    for (const suffix of ["", "/receipt"]) {
      const foreign = await read(shopB, `/v1/records/${first.id}${suffix}`);
      const random = await read(shopB, `/v1/records/${randomUUID()}${suffix}`);
      t.equal(foreign.statusCode, 404, `GET /v1/records/:id${suffix}`);
      t.same(errorOf(foreign), errorOf(random), `GET /v1/records/:id${suffix} answers as for a record that does not exist`);
      t.notMatch(foreign.body, firstHash, "and names no hash");
    }
  });

  t.test("every key of merchant A, a mediator and the operator read A's record and receipt", async (t) => {
    for (const [who, key] of [["A's first key", shopA], ["A's second key", shopA2], ["a mediator", mediator], ["an admin", h.admin]] as const) {
      t.equal((await read(key, `/v1/records/${first.id}`)).json().recordHash, firstHash, `${who}: status`);
      t.equal((await read(key, `/v1/records/${first.id}/receipt`)).json().record.recordHash, firstHash, `${who}: receipt`);
    }
  });

  t.test("A chains its own records, from any of its keys, and the subject's head follows", async (t) => {
    const second = await write(shopA2, { kind: "provenance.inspection", subject: "item:silk-1", payload: { ok: true }, prev: firstHash });
    t.equal(second.statusCode, 202);
    t.equal(second.json().receipt.record.envelope.prev, firstHash);
    const secondHash: string = second.json().receipt.record.recordHash;
    t.equal((await subjectRow("item:silk-1"))?.head_record_hash, secondHash, "the head is the newest record");
    t.equal((await subjectRow("item:silk-1"))?.owner_merchant_id, shopA.merchantId, "the subject belongs to merchant A");

    const batch = await writeBatch(shopA, [
      { kind: "provenance.shipping", subject: "item:silk-1", payload: { to: "Hangzhou" }, prev: secondHash },
      { kind: "provenance.origin", subject: "item:silk-2", payload: { farm: "Huzhou" } },
      { kind: "provenance.retail", subject: "item:silk-1", payload: { shop: "live" } },
    ]);
    t.equal(batch.statusCode, 202);
    const hashes = batch.json().records.map((r: { receipt: { record: { recordHash: string } } }) => r.receipt.record.recordHash);
    t.equal((await subjectRow("item:silk-1"))?.head_record_hash, hashes[2], "a batch leaves each subject's head at its last record");
    t.equal((await subjectRow("item:silk-2"))?.head_record_hash, hashes[1]);
  });

  t.test("B cannot append to A's subject: without prev a 403 naming body.subject; with prev, A's head and a random hash get the same 422", async (t) => {
    const before = await recordCount("item:silk-1");
    const head = (await subjectRow("item:silk-1"))?.head_record_hash;
    const bare = await write(shopB, { kind: "provenance.retail", subject: "item:silk-1", payload: { fake: true } });
    t.equal(bare.statusCode, 403);
    t.equal(bare.json().error.field, "body.subject");
    t.equal(bare.json().error.message, "body.subject belongs to another submitter: only the submitter that first wrote to a subject may append to it");
    const namingHead = await write(shopB, { kind: "provenance.retail", subject: "item:silk-1", payload: { fake: true }, prev: head });
    const namingRandom = await write(shopB, { kind: "provenance.retail", subject: "item:silk-1", payload: { fake: true }, prev: "c".repeat(64) });
    t.equal(namingHead.statusCode, 422);
    t.equal(namingHead.json().error.field, "body.prev");
    t.same(errorOf(namingHead), errorOf(namingRandom), "the answer does not tell whether A's head is a real record");

    const inBatch = await writeBatch(shopB, [
      { kind: "provenance.origin", subject: "item:b-own", payload: {} },
      { kind: "provenance.retail", subject: "item:silk-1", payload: { fake: true } },
    ]);
    t.equal(inBatch.statusCode, 403);
    t.equal(inBatch.json().error.field, "body.records[1].subject", "names the record that is refused");
    t.equal(await recordCount("item:silk-1"), before, "nothing was appended to A's subject");
    t.equal(await recordCount("item:b-own"), 0, "the refused batch stored nothing");
    t.equal(await subjectRow("item:b-own"), undefined, "and claimed no subject");
    t.equal((await subjectRow("item:silk-1"))?.head_record_hash, head, "A's head did not move");
  });

  t.test("B's prev naming A's record gets the same answer as a random hash", async (t) => {
    await write(shopB, { kind: "evidence.chat", subject: "chat:b-1", payload: { line: 1 } });
    const namingA = await write(shopB, { kind: "evidence.chat", subject: "chat:b-1", payload: { line: 2 }, prev: firstHash });
    const random = await write(shopB, { kind: "evidence.chat", subject: "chat:b-1", payload: { line: 2 }, prev: "e".repeat(64) });
    t.equal(namingA.statusCode, 422);
    t.equal(namingA.json().error.field, "body.prev");
    t.same(errorOf(namingA), errorOf(random));
    t.notMatch(namingA.body, firstHash);
  });

  t.test("A's prev naming its own record of another subject gets that same answer", async (t) => {
    const wrongSubject = await write(shopA, { kind: "provenance.origin", subject: "item:silk-3", payload: {}, prev: firstHash });
    const random = await write(shopA, { kind: "provenance.origin", subject: "item:silk-3", payload: {}, prev: "e".repeat(64) });
    t.same(errorOf(wrongSubject), errorOf(random));
    t.equal(wrongSubject.json().error.message, "body.prev is not one of your records of this subject");
  });

  t.test("an admin key owns the subjects it writes: neither a merchant nor another admin key appends to them", async (t) => {
    const own = await write(h.admin, { kind: "platform.notice", subject: "urn:tracemark:notice:1", payload: { text: "maintenance" } });
    t.equal(own.statusCode, 202);
    t.equal((await subjectRow("urn:tracemark:notice:1"))?.owner_key_id, h.admin.keyId);
    for (const key of [shopA, otherAdmin]) {
      const res = await write(key, { kind: "platform.notice", subject: "urn:tracemark:notice:1", payload: { text: "forged" } });
      t.equal(res.statusCode, 403);
      t.equal(res.json().error.field, "body.subject");
    }
    const next = await write(h.admin, { kind: "platform.notice", subject: "urn:tracemark:notice:1", payload: { text: "done" }, prev: own.json().receipt.record.recordHash });
    t.equal(next.statusCode, 202, "the key that wrote it goes on");
  });

  t.test("two merchants racing on a new subject: exactly one wins, every time", async (t) => {
    for (let round = 0; round < 20; round++) {
      const subject = `race:${round}`;
      const [a, b] = await Promise.all([
        write(shopA, { kind: "evidence.chat", subject, payload: { by: "A" } }),
        write(shopB, { kind: "evidence.chat", subject, payload: { by: "B" } }),
      ]);
      const statuses = [a.statusCode, b.statusCode].sort();
      t.same(statuses, [202, 403], `round ${round}: one 202 and one 403`);
      const winner = a.statusCode === 202 ? shopA : shopB;
      t.equal((await subjectRow(subject))?.owner_merchant_id, winner.merchantId, `round ${round}: the subject belongs to the one that was answered 202`);
      t.equal(await recordCount(subject), 1);
    }
  });
});
