import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { contentHashOfJson, leafHash, recordHash, verifyReceiptOffline } from "../../src/merkle/index.ts";

t.test("the records API", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const merchant = await merchantKey(h.database, "Shop A");
  const other = await merchantKey(h.database, "Shop B");
  const mediator = (await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "mediator" } })).json();
  const post = (payload: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: "POST", url: "/v1/records", headers: { ...bearer(merchant), ...headers }, payload });

  t.test("notarizes a JSON payload and answers 202 with a pending receipt", async (t) => {
    const payload = { order: "A-1", price: 12.5, items: ["x"] };
    const res = await post({ kind: "evidence.order", subject: "order:A-1", payload });
    t.equal(res.statusCode, 202);
    const { id, status, receipt } = res.json();
    t.equal(status, "accepted");
    t.match(id, /^[0-9a-f-]{36}$/);
    t.equal(receipt.inclusion, null);
    t.equal(receipt.anchor, null);
    t.equal(receipt.record.envelope.contentHash, contentHashOfJson(payload), "contentHash is SHA-256 of the RFC 8785 form");
    t.equal(receipt.record.envelope.submitter, `merchant:${merchant.merchantId}`);
    t.equal(receipt.record.recordHash, recordHash(receipt.record.envelope));
    t.equal(verifyReceiptOffline(receipt).status, "pending");
    const row = await h.database.db.selectFrom("records").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    t.equal(row.leaf_hash, leafHash(receipt.record.salt, receipt.record.recordHash), "the stored leaf hash binds salt and record hash");
  });

  t.test("notarizes a bare content hash with its media type", async (t) => {
    const contentHash = "a".repeat(64);
    const res = await post({ kind: "stream.snapshot", subject: "stream:42", contentHash, mediaType: "image/png" });
    t.equal(res.statusCode, 202);
    t.equal(res.json().receipt.record.envelope.contentHash, contentHash);
    t.equal(res.json().receipt.record.envelope.mediaType, "image/png");
  });

  t.test("rejects bad input naming the field", async (t) => {
    const cases: Array<[object, string]> = [
      [{ subject: "s", payload: {} }, "body.kind"],
      [{ kind: "Bad Kind", subject: "s", payload: {} }, "body.kind"],
      [{ kind: "k", subject: "s" }, "body.payload"],
      [{ kind: "k", subject: "s", payload: {}, contentHash: "b".repeat(64) }, "body.payload"],
      [{ kind: "k", subject: "s", contentHash: "XYZ" }, "body.contentHash"],
      [{ kind: "k", subject: "s", payload: {}, mediaType: "image/png" }, "body.mediaType"],
      [{ kind: "k", subject: "s", payload: {}, prev: "nothex" }, "body.prev"],
      [{ kind: "k", subject: "s", payload: {}, extra: 1 }, "body.extra"],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      t.equal(res.statusCode, 400, JSON.stringify(payload));
      t.equal(res.json().error.field, field, JSON.stringify(payload));
    }
  });

  t.test("JSON that RFC 8785 cannot hash is a 400 naming the field, with or without an Idempotency-Key", async (t) => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const bodies: Array<[string, string]> = [
      [`{"kind":"k","subject":"s","payload":${JSON.stringify(deep)}}`, "body.payload"],
      ['{"kind":"k","subject":"s\\ud800","payload":{}}', "body.subject"],
      ['{"kind":"k","subject":"s","payload":{"a":"\\udc00"}}', "body.payload"],
    ];
    for (const [payload, field] of bodies) {
      for (const extra of [{}, { "idempotency-key": `bad-${field}` }]) {
        const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: { ...bearer(merchant), "content-type": "application/json", ...extra }, payload });
        t.equal(res.statusCode, 400, `${field} ${JSON.stringify(extra)}`);
        t.equal(res.json().error.field, field);
      }
    }
  });

  t.test("a prev link must name an earlier record of the same subject", async (t) => {
    const first = (await post({ kind: "provenance.origin", subject: "item:1", payload: { farm: "x" } })).json();
    const next = await post({ kind: "provenance.inspection", subject: "item:1", payload: { ok: true }, prev: first.receipt.record.recordHash });
    t.equal(next.statusCode, 202);
    t.equal(next.json().receipt.record.envelope.prev, first.receipt.record.recordHash);
    const wrongSubject = await post({ kind: "provenance.inspection", subject: "item:2", payload: {}, prev: first.receipt.record.recordHash });
    t.equal(wrongSubject.statusCode, 422);
    t.equal(wrongSubject.json().error.field, "body.prev");
    const unknown = await post({ kind: "provenance.inspection", subject: "item:1", payload: {}, prev: "c".repeat(64) });
    t.equal(unknown.statusCode, 422);
  });

  t.test("the batch endpoint takes up to 1,000 records atomically", async (t) => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ kind: "evidence.chat", subject: `chat:${i % 7}`, payload: { line: i } }));
    const res = await h.app.inject({ method: "POST", url: "/v1/records/batch", headers: bearer(merchant), payload: { records } });
    t.equal(res.statusCode, 202);
    t.equal(res.json().records.length, 1000);
    t.same(res.json().records.map((r: { receipt: { record: { envelope: { subject: string } } } }) => r.receipt.record.envelope.subject).slice(0, 3), ["chat:0", "chat:1", "chat:2"], "answers in request order");

    const tooMany = await h.app.inject({ method: "POST", url: "/v1/records/batch", headers: bearer(merchant), payload: { records: [...records, records[0]] } });
    t.equal(tooMany.statusCode, 400);
    t.equal(tooMany.json().error.field, "body.records");

    const before = await h.database.db.selectFrom("records").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    const oneBad = await h.app.inject({ method: "POST", url: "/v1/records/batch", headers: bearer(merchant), payload: { records: [records[0], { kind: "k", subject: "s", payload: {}, prev: "d".repeat(64) }] } });
    t.equal(oneBad.statusCode, 422);
    t.equal(oneBad.json().error.field, "body.records[1].prev");
    const after = await h.database.db.selectFrom("records").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    t.equal(Number(after.n), Number(before.n), "a rejected batch stores nothing");
  });

  t.test("the same Idempotency-Key with the same body returns the same records", async (t) => {
    const body = { kind: "evidence.payment", subject: "order:B-2", payload: { amount: 99 } };
    const a = await post(body, { "idempotency-key": "pay-B-2" });
    const b = await post(body, { "idempotency-key": "pay-B-2" });
    t.equal(a.statusCode, 202);
    t.equal(b.statusCode, 202);
    t.equal(b.json().id, a.json().id);
    t.equal(b.headers["idempotent-replayed"], "true");
    t.same(b.json().receipt.record, a.json().receipt.record);
  });

  t.test("the same Idempotency-Key with a different body is a 409", async (t) => {
    await post({ kind: "evidence.payment", subject: "order:C-3", payload: { amount: 1 } }, { "idempotency-key": "pay-C-3" });
    const res = await post({ kind: "evidence.payment", subject: "order:C-3", payload: { amount: 2 } }, { "idempotency-key": "pay-C-3" });
    t.equal(res.statusCode, 409);
    t.equal(res.json().error.code, "IDEMPOTENCY_KEY_REUSED");
  });

  t.test("concurrent requests with one Idempotency-Key create the records once", async (t) => {
    const records = Array.from({ length: 50 }, (_, i) => ({ kind: "evidence.chat", subject: "chat:race", payload: { i } }));
    const send = () => h.app.inject({ method: "POST", url: "/v1/records/batch", headers: { ...bearer(merchant), "idempotency-key": "race-1" }, payload: { records } });
    const answers = await Promise.all([send(), send(), send()]);
    for (const a of answers) t.equal(a.statusCode, 202);
    const ids = answers.map((a) => a.json().records.map((r: { id: string }) => r.id).join());
    t.equal(new Set(ids).size, 1, "every answer names the same records");
    const stored = await h.database.db.selectFrom("records").select((eb) => eb.fn.countAll().as("n")).where("subject", "=", "chat:race").executeTakeFirstOrThrow();
    t.equal(Number(stored.n), 50);
  });

  t.test("status and receipt: the submitter and mediators see the salt, other merchants see nothing", async (t) => {
    const { id } = (await post({ kind: "evidence.chat", subject: "chat:private", payload: { phone: "13800000000" } })).json();
    const status = await h.app.inject({ method: "GET", url: `/v1/records/${id}`, headers: bearer(merchant) });
    t.equal(status.statusCode, 200);
    t.equal(status.json().status, "accepted");
    t.notOk("salt" in status.json());
    t.equal((await h.app.inject({ method: "GET", url: `/v1/records/${id}`, headers: bearer(other) })).statusCode, 404);
    const own = await h.app.inject({ method: "GET", url: `/v1/records/${id}/receipt`, headers: bearer(merchant) });
    t.equal(own.statusCode, 200);
    t.match(own.json().record.salt, /^[0-9a-f]{64}$/);
    const med = await h.app.inject({ method: "GET", url: `/v1/records/${id}/receipt`, headers: { authorization: `Bearer ${mediator.token}` } });
    t.equal(med.statusCode, 200);
    const foreign = await h.app.inject({ method: "GET", url: `/v1/records/${id}/receipt`, headers: bearer(other) });
    t.equal(foreign.statusCode, 404);
    const missing = await h.app.inject({ method: "GET", url: `/v1/records/00000000-0000-4000-8000-000000000000`, headers: bearer(merchant) });
    t.equal(missing.statusCode, 404);
  });

  t.test("mediators cannot notarize", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: { authorization: `Bearer ${mediator.token}` }, payload: { kind: "k", subject: "s", payload: {} } });
    t.equal(res.statusCode, 403);
  });
});
