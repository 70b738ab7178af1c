// The history cache under a crowd of scanners: every request is answered after a fingerprint
// check sent after it arrived, so a write committed anywhere (another replica, the pipeline) is
// seen by the very next request; the requests that arrive together share one check rather than
// sending one query each.
import t from "tap";
import type { KyselyPlugin } from "kysely";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { TraceHistory } from "../../src/trace/events/trace-view.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, objectEvent, sgtin } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

const CROWD = 64;
const productClass = (gtin13: string) => `urn:epc:idpat:sgtin:${gtin13.slice(0, 7)}.0${gtin13.slice(7, 12)}.*`;

t.test("a crowd of scanners shares one fingerprint check, and sees every commit at once", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Crowded Shop", "9527200");
  const gtin = gtinUnder("9527200", 1);
  t.equal((await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(a), payload: { gtin, name: "Puerh cake" } })).statusCode, 201, "a product to scan");

  let queries = 0;
  const counting: KyselyPlugin = {
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  // The history of a replica of its own: nothing this process's routes do reaches its cache.
  const history = new TraceHistory(h.database.db.withPlugin(counting), PUBLIC_BASE_URL);
  const uri = `${PUBLIC_BASE_URL}/01/0${gtin}`;
  const first = await history.answer(uri);

  queries = 0;
  const answers = await Promise.all(Array.from({ length: CROWD }, () => history.answer(uri)));
  t.equal(queries, 1, `${CROWD} requests arriving together sent one query`);
  t.ok(answers.every((answer) => answer.etag === first.etag), "and all got the cached answer");

  // Requests that arrive while a check is in flight wait for the next one: two queries for two waves.
  queries = 0;
  const waves = [history.answer(uri)];
  await new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < CROWD; i++) waves.push(history.answer(uri));
  await Promise.all(waves);
  t.equal(queries, 2, "a wave that arrived after the first check was sent shares a second one");

  const captured = await h.app.inject({
    method: "POST",
    url: "/epcis/capture",
    headers: bearer(a),
    // The product as an EPC class (a pattern of every serial of the GTIN, TDS 2.1 §8): on the product's chain.
    payload: epcisDocument([objectEvent({ eventTime: "2026-02-01T00:00:00.000Z", quantityList: [{ epcClass: productClass(gtin) }], bizStep: "inspecting" })]),
  });
  t.equal(captured.statusCode, 202, captured.statusCode === 202 ? "an event on the product captured" : captured.body);
  for (;;) {
    const job = (await h.app.inject({ method: "GET", url: `/epcis/capture/${captured.json().captureID}`, headers: bearer(a) })).json();
    if (!job.running) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const after = await Promise.all(Array.from({ length: CROWD }, () => history.answer(uri)));
  t.ok(after.every((answer) => answer.etag !== first.etag), "an event captured elsewhere is seen by every request after it, with no delay");
  t.equal(new Set(after.map((answer) => answer.etag)).size, 1, "and the crowd shares one rebuild");

  const before = after[0]!;
  t.ok(await sealBatch(h.database.db, 10_000), "the pipeline seals the product's records");
  const sealed = await history.answer(uri);
  t.not(sealed.etag, before.etag, "a seal changes the statuses it shows: seen by the next request");
  t.ok((JSON.parse(sealed.bytes.toString()) as { timeline: Array<{ status: string }> }).timeline.every((e) => e.status === "sealed"), "every entry now says sealed");
});

t.test("an item nobody registered and no record names is a 404 after two reads, however long its product's history", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Guessed Shop", "9527201");
  const gtin = gtinUnder("9527201", 1);
  t.equal((await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(a), payload: { gtin, name: "Dancong" } })).statusCode, 201);
  const events = Array.from({ length: 50 }, (_, i) => objectEvent({ eventTime: `2026-02-01T00:${String(i).padStart(2, "0")}:00.000Z`, quantityList: [{ epcClass: productClass(gtin) }], bizStep: "inspecting" }));
  // And one item known only from an event about its EPC: found, though nobody registered it.
  events.push(objectEvent({ eventTime: "2026-02-02T00:00:00.000Z", epcList: [sgtin(gtin, "SEEN1")], bizStep: "shipping" }));
  const captured = await h.app.inject({ method: "POST", url: "/epcis/capture", headers: bearer(a), payload: epcisDocument(events) });
  t.equal(captured.statusCode, 202, captured.body);

  let queries = 0;
  const counting: KyselyPlugin = { transformQuery: (args) => (queries++, args.node), transformResult: async (args) => args.result };
  const history = new TraceHistory(h.database.db.withPlugin(counting), PUBLIC_BASE_URL);
  await t.rejects(history.answer(`${PUBLIC_BASE_URL}/01/0${gtin}/21/GUESSED7`), { code: "NOT_FOUND", field: "query.uri" });
  t.equal(queries, 2, "the catalogue row and one probe of the item's records; the product's 50 events are not read");
  const seen = JSON.parse((await history.answer(`${PUBLIC_BASE_URL}/01/0${gtin}/21/SEEN1`)).bytes.toString()) as { level: string; item: unknown; timeline: unknown[] };
  t.equal(seen.level, "item");
  t.equal(seen.item, null, "not registered");
  t.equal(seen.timeline.length, 52, "its own event, then the product's record and 50 events");
});
