// POST /epcis/capture (EPCIS 2.0 REST binding) against PostgreSQL: the standard's examples are
// stored, invalid documents are refused naming the field, foreign EPCs are refused naming the
// field, captures are idempotent by event hash ID, and the capture job reports what happened.
import t from "tap";
import { eventsOfDocument } from "../../src/epcis/index.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, objectEvent, sgtin } from "../support/epcis.ts";
import { listSharedGs1, readSharedGs1Json } from "../support/shared-gs1.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";
import { validateEpcisDocument } from "../../src/epcis/index.ts";

/** The company prefixes the standard's examples use (GS1's example numbers). */
const EXAMPLE_PREFIXES = ["0614141", "4012345", "4000001", "4023333", "9506000"];

/** The examples that are valid against the schema, but for a blank-node document id. */
function validExamples(): Array<{ name: string; document: Record<string, unknown> }> {
  return listSharedGs1("epcis-examples")
    .map((name) => ({ name, document: readSharedGs1Json(`epcis-examples/${name}`) as Record<string, unknown> }))
    .filter(({ document }) => validateEpcisDocument({ ...document, id: "urn:x:doc" }).length === 0);
}

t.test("EPCIS capture", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Shop A", EXAMPLE_PREFIXES[0]!);
  for (const prefix of EXAMPLE_PREFIXES.slice(1)) {
    const res = await h.app.inject({ method: "POST", url: `/v1/admin/merchants/${a.merchantId}/prefixes`, headers: bearer(h.admin), payload: { prefix } });
    t.equal(res.statusCode, 201, `prefix ${prefix} assigned`);
  }
  const b = await merchantWithPrefix(h, "Shop B", "9520001");
  const capture = (key: { token: string }, document: unknown, contentType = "application/ld+json") =>
    h.app.inject({ method: "POST", url: "/epcis/capture", headers: { ...bearer(key), "content-type": contentType }, payload: JSON.stringify(document) });

  await t.test("stores every example of the standard that validates, blank-node document ids included, and only once", async (t) => {
    const examples = validExamples();
    t.ok(examples.length >= 30, `${examples.length} examples`);
    let events = 0;
    let stored = 0;
    for (const { name, document } of examples) {
      const res = await capture(a, document);
      t.equal(res.statusCode, 202, `${name}: 202 ${res.statusCode === 202 ? "" : res.body}`);
      const job = res.json();
      t.equal(res.headers["location"], `/epcis/capture/${job.captureID}`, `${name}: Location names the capture job`);
      t.match(job, { running: false, success: true, errors: [], captureErrorBehaviour: "rollback" }, `${name}: the job succeeded`);
      events += eventsOfDocument(document).length;
      stored += job.stored;
    }
    // Some examples repeat the same event (9.6.1 with a comment, with SBDH headers): one hash ID, stored once.
    t.ok(stored > 0 && stored < events, `${stored} of ${events} events stored; the rest are the same events again`);
    let again = 0;
    for (const { document } of examples) again += (await capture(a, document)).json().stored;
    t.equal(again, 0, "capturing every example again stores nothing: each event is known by its hash ID");
  });

  await t.test("an event is one record on the subject of each object it names, its payload the event's bytes with its hash ID as eventID", async (t) => {
    const gtin = gtinUnder("0614141", 7001);
    const event = objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", epcList: [sgtin(gtin, "S1"), sgtin(gtin, "S2")], bizStep: "shipping", disposition: "in_transit" });
    const res = await capture(a, epcisDocument([event]), "application/json");
    t.equal(res.statusCode, 202);
    const rows = await h.database.db
      .selectFrom("epcis_event_subjects as s")
      .innerJoin("records as r", "r.id", "s.record_id")
      .innerJoin("record_payloads as p", "p.record_id", "r.id")
      .select(["s.subject", "s.hash_id", "r.kind", "p.payload"])
      .where("s.subject", "like", `%/01/0${gtin}/21/%`)
      .orderBy("s.subject")
      .execute();
    t.same(rows.map((r) => r.subject), [`${PUBLIC_BASE_URL}/01/0${gtin}/21/S1`, `${PUBLIC_BASE_URL}/01/0${gtin}/21/S2`], "the EPC URNs became Digital Links on PUBLIC_BASE_URL");
    t.equal(rows[0]!.kind, "epcis.event");
    t.match(rows[0]!.hash_id, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
    const payload = JSON.parse(rows[0]!.payload);
    t.equal(payload.eventID, rows[0]!.hash_id, "the hash ID is the stored event's eventID");
    t.equal(rows[0]!.payload, rows[1]!.payload, "both records carry the same event");
  });

  await t.test("refuses a document that breaks the schema, naming the event field", async (t) => {
    const gtin = gtinUnder("0614141", 7002);
    const good = objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", epcList: [sgtin(gtin, "A")] });
    const res = await capture(a, epcisDocument([good, { ...good, bizStep: "teleporting" }]));
    t.equal(res.statusCode, 400);
    t.match(res.json().error, { code: "VALIDATION_FAILED", field: "body.epcisBody.eventList[1].bizStep", message: /standard term/ });
    const loneSurrogate = `{"@context":["${"https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"}"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2026-01-01T00:00:00Z","epcisBody":{"eventList":[${JSON.stringify(good).slice(0, -1)},"example:note":"\\ud800"}]}}`;
    const unhashable = await h.app.inject({ method: "POST", url: "/epcis/capture", headers: { ...bearer(a), "content-type": "application/json" }, payload: loneSurrogate });
    t.equal(unhashable.statusCode, 400, "a string RFC 8785 cannot write is a client mistake");
    t.match(unhashable.json().error, { code: "VALIDATION_FAILED", field: /^body\.epcisBody\.eventList\[0\].*example:note/ });
    const withNul = await capture(a, epcisDocument([{ ...good, epcList: [sgtin(gtin, "NUL")], "example:note": "a\u0000b" }]));
    t.equal(withNul.statusCode, 400, "so is a NUL (the service refuses what PostgreSQL cannot store)");
    t.match(withNul.json().error, { field: /^body\.epcisBody\.eventList\[0\].*example:note/ });
    const notADocument = await capture(a, { type: "ObjectEvent" });
    t.match(notADocument.json().error, { code: "VALIDATION_FAILED", field: "body.type" });
  });

  await t.test("refuses events about another merchant's EPCs with a 403 naming the field, storing nothing", async (t) => {
    const own = gtinUnder("9520001", 1);
    const foreign = gtinUnder("0614141", 7003);
    const res = await capture(b, epcisDocument([objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", epcList: [sgtin(own, "X"), sgtin(foreign, "Y")] })]));
    t.equal(res.statusCode, 403);
    t.match(res.json().error, { code: "FORBIDDEN", field: "body.epcisBody.eventList[0].epcList[1]" });
    const nonGs1 = await capture(b, epcisDocument([objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", epcList: ["urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"] })]));
    t.match(nonGs1.json().error, { code: "FORBIDDEN", field: "body.epcisBody.eventList[0].epcList[0]", message: /not a GS1 identifier/ });
    const count = await h.database.db.selectFrom("epcis_events").select((eb) => eb.fn.countAll<string>().as("n")).where("merchant_id", "=", b.merchantId).executeTakeFirstOrThrow();
    t.equal(Number(count.n), 0);
  });

  await t.test("concurrent captures about the same new item keep its chain linear", async (t) => {
    const gtin = gtinUnder("0614141", 7005);
    const documents = Array.from({ length: 6 }, (_, i) => epcisDocument([objectEvent({ eventTime: `2026-03-0${i + 1}T08:00:00.000+08:00`, epcList: [sgtin(gtin, "RACE")], bizStep: "inspecting" })]));
    const answers = await Promise.all(documents.map((d) => capture(a, d)));
    t.same(answers.map((r) => r.statusCode), [202, 202, 202, 202, 202, 202]);
    const records = await h.database.db.selectFrom("records").select(["record_hash", "envelope"]).where("subject", "=", `${PUBLIC_BASE_URL}/01/0${gtin}/21/RACE`).orderBy("seq").execute();
    t.equal(records.length, 6);
    const prevs = records.map((r) => JSON.parse(r.envelope).prev as string | null);
    t.same(prevs, [null, ...records.slice(0, -1).map((r) => r.record_hash)], "each record's prev is the one before it: one chain, no fork");
    const head = await h.database.db.selectFrom("subjects").select("head_record_hash").where("subject", "=", `${PUBLIC_BASE_URL}/01/0${gtin}/21/RACE`).executeTakeFirstOrThrow();
    t.equal(head.head_record_hash, records.at(-1)!.record_hash, "the head is the newest record");
  });

  await t.test("the capture job answers its owner and the operator; to another merchant it does not exist", async (t) => {
    const gtin = gtinUnder("0614141", 7004);
    const res = await capture(a, epcisDocument([objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", epcList: [sgtin(gtin, "Q")] })]));
    const location = res.headers["location"] as string;
    const own = await h.app.inject({ method: "GET", url: location, headers: bearer(a) });
    t.equal(own.statusCode, 200);
    t.match(own.json(), { success: true, events: 1, processed: 1, stored: 1, duplicates: 0 });
    t.equal(own.headers["gs1-epcis-version"], "2.0.0");
    t.equal((await h.app.inject({ method: "GET", url: location, headers: bearer(h.admin) })).statusCode, 200);
    const other = await h.app.inject({ method: "GET", url: location, headers: bearer(b) });
    t.equal(other.statusCode, 404);
    t.match(other.json().error, { code: "NOT_FOUND", field: "params.captureId" });
  });
});
