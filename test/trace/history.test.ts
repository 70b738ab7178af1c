// GET /v1/trace: what a scanner sees for an item, its lot and its product, on PostgreSQL —
// packing into a case puts the case's events into the item's history for the time it was inside,
// corrections mark the corrected event, a recall on the lot marks its items until withdrawn, and
// every entry's receipt verifies offline against its payload bytes.
import t from "tap";
import { offlineSteps } from "../../src/merkle/index.ts";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { aggregationEvent, epcisDocument, objectEvent, sscc } from "../support/epcis.ts";
import { gs1CheckDigit } from "../../src/gs1/index.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

const PREFIX = "9521234";

interface Entry { recordId: string; subject: string; via: string; kind: string; eventID: string | null; bizStep: string | null; disposition: string | null; errorDeclaration: boolean; declaredErroneous: boolean; payload: string | null; receipt: unknown }

t.test("the history API for scanners", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Shop A", PREFIX);
  const b = await merchantWithPrefix(h, "Shop B", "9529999");
  const gtin = gtinUnder(PREFIX, 42);
  const as = (key: { token: string }) => bearer(key);

  t.equal((await h.app.inject({ method: "POST", url: "/v1/products", headers: as(a), payload: { gtin, name: "Jasmine tea 100 g", brand: "Hill" } })).statusCode, 201);
  t.equal((await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots`, headers: as(a), payload: { lot: "L1", productionDate: "260101" } })).statusCode, 201);
  const job = (await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/L1/items`, headers: as(a), payload: { count: 3 } })).json();
  for (let i = 0; i < 100; i++) {
    const status = (await h.app.inject({ method: "GET", url: `/v1/jobs/${job.id}`, headers: as(a) })).json().status;
    if (status === "succeeded") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const items = ((await h.app.inject({ method: "GET", url: `/v1/jobs/${job.id}/items`, headers: as(a) })).json() as { items: Array<{ uri: string }> }).items.map((i) => i.uri);
  t.equal(items.length, 3);
  const [item0, item1, item2] = items as [string, string, string];
  const caseEpc = sscc(PREFIX, "1");
  const caseSubject = `${PUBLIC_BASE_URL}/00/0${PREFIX}000000001${gs1CheckDigit(`0${PREFIX}000000001`)}`;

  const capture = async (events: object[]) => {
    const res = await h.app.inject({ method: "POST", url: "/epcis/capture", headers: as(a), payload: epcisDocument(events) });
    t.equal(res.statusCode, 202, res.statusCode === 202 ? "captured" : res.body);
    return res.json();
  };
  const trace = async (uri: string, headers: Record<string, string> = {}) => h.app.inject({ method: "GET", url: `/v1/trace?uri=${encodeURIComponent(uri)}`, headers });
  const timelineOf = async (uri: string) => (await trace(uri)).json().timeline as Entry[];

  const shipping = objectEvent({ eventTime: "2026-02-01T12:00:00.000+08:00", epcList: [caseEpc], bizStep: "shipping", disposition: "in_transit" });
  await capture([
    objectEvent({ eventTime: "2026-02-01T08:00:00.000+08:00", epcList: items, action: "ADD", bizStep: "commissioning", disposition: "active" }),
    aggregationEvent("ADD", caseEpc, [item0, item1], "2026-02-01T10:00:00.000+08:00", { bizStep: "packing", disposition: "in_progress" }),
    shipping,
    aggregationEvent("DELETE", caseEpc, [], "2026-02-02T09:00:00.000+08:00", { bizStep: "unpacking" }),
    objectEvent({ eventTime: "2026-02-03T09:00:00.000+08:00", epcList: [caseEpc], bizStep: "destroying", disposition: "destroyed" }),
    objectEvent({ eventTime: "2026-02-04T09:00:00.000+08:00", epcList: [item0], bizStep: "retail_selling", disposition: "retail_sold" }),
  ]);

  await t.test("an item's history: its own records, its lot's and product's, and its case's events while it was packed", async (t) => {
    const res = await trace(item0);
    t.equal(res.statusCode, 200);
    const view = res.json();
    t.match(view, { level: "item", subject: item0, merchant: { id: a.merchantId, name: "Shop A" }, product: { gtin: `0${gtin}`, name: "Jasmine tea 100 g" }, lot: { lot: "L1", productionDate: "2026-01-01" }, item: { pinProtected: false }, recall: { recalled: false, recalls: [] } });
    t.same(view.containers, [{ subject: caseSubject, from: "2026-02-01T02:00:00.000Z", until: "2026-02-02T01:00:00.000Z" }], "packed from the ADD until the DELETE");
    const steps = (view.timeline as Entry[]).map((e) => `${e.via}:${e.kind === "epcis.event" ? e.bizStep : e.kind}`);
    // In time order: the events happened in February, the catalogue records were written today.
    t.same(steps, ["item:commissioning", "item:packing", "container:shipping", "container:unpacking", "item:retail_selling", "product:trace.product", "lot:trace.lot", "item:trace.item"]);
    t.notOk(steps.includes("container:destroying"), "the case's events after the item left it are not the item's");
    t.same((await timelineOf(item2)).map((e) => e.bizStep).filter(Boolean), ["commissioning"], "an item never packed sees none of the case's events");
    const chains = view.chains as Array<{ subject: string; records: number }>;
    t.same(chains.map((c) => c.subject), [item0, `${PUBLIC_BASE_URL}/01/0${gtin}/10/L1`, `${PUBLIC_BASE_URL}/01/0${gtin}`, caseSubject], "a chain per subject shown");
    t.equal(chains[0]!.records, 4, "the item's chain: registration and the three events that name it");
    t.equal(chains[3]!.records, 4, "the case's whole chain is counted, not only the part shown");
  });

  await t.test("a correction (errorDeclaration) marks the event it corrects; both stay", async (t) => {
    await capture([{ ...shipping, errorDeclaration: { declarationTime: "2026-02-05T00:00:00.000Z", reason: "incorrect_data" } }]);
    const timeline = await timelineOf(item1);
    const shipped = timeline.filter((e) => e.bizStep === "shipping");
    t.equal(shipped.length, 2, "the shipping event and its error declaration");
    t.match(shipped[0], { errorDeclaration: false, declaredErroneous: true });
    t.match(shipped[1], { errorDeclaration: true, declaredErroneous: false });
    t.equal(shipped[0]!.eventID, shipped[1]!.eventID, "a declaration has the event hash ID of the event it declares erroneous");
  });

  await t.test("a recall on the lot marks its items, with reason and instructions, until it is withdrawn", async (t) => {
    const lotUri = `${PUBLIC_BASE_URL}/01/0${gtin}/10/L1`;
    const foreign = await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/L1/recalls`, headers: as(b), payload: { reason: "x" } });
    const absent = await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/NOPE/recalls`, headers: as(b), payload: { reason: "x" } });
    t.equal(foreign.statusCode, 404, "another merchant's lot cannot be recalled");
    t.same({ ...foreign.json().error, requestId: 0 }, { ...absent.json().error, requestId: 0 }, "and is answered as a lot that does not exist");

    const recalled = await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/L1/recalls`, headers: as(a), payload: { reason: "Undeclared allergen", instructions: "Return to the shop for a refund" } });
    t.equal(recalled.statusCode, 201, recalled.body);
    t.match(recalled.json(), { eventID: /^ni:\/\/\/sha-256;/, event: { disposition: "recalled", "tracemark:recallReason": "Undeclared allergen" } });
    for (const uri of [item0, item2, lotUri]) {
      t.match((await trace(uri)).json().recall, { recalled: true, recalls: [{ level: "lot", reason: "Undeclared allergen", instructions: "Return to the shop for a refund" }] }, `${uri} shows the recall`);
    }
    t.match((await trace(`${PUBLIC_BASE_URL}/01/0${gtin}`)).json().recall, { recalled: false }, "the product itself is not recalled");
    t.equal((await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/L1/recalls`, headers: as(a), payload: { reason: "again" } })).statusCode, 409, "a lot is recalled once at a time");

    const withdrawn = await h.app.inject({ method: "POST", url: `/v1/products/${gtin}/lots/L1/recalls/withdrawals`, headers: as(a), payload: { reason: "Lab retest: no allergen" } });
    t.equal(withdrawn.statusCode, 201, withdrawn.body);
    const after = (await trace(item0)).json();
    t.match(after.recall, { recalled: false, recalls: [] });
    t.same((after.timeline as Entry[]).filter((e) => e.via === "lot" && e.kind === "epcis.event").map((e) => e.disposition), ["recalled", "conformant"], "both events stay in the history");
  });

  await t.test("every entry's receipt verifies offline against the payload bytes it comes with", async (t) => {
    await sealBatch(h.database.db, 10_000);
    // Sealing happened outside the capture path (the pipeline, maybe on another replica): the
    // cached history sees it on the very next request.
    const timeline = await timelineOf(item0);
    t.ok(timeline.length >= 10);
    for (const entry of timeline) {
      const { steps } = offlineSteps(entry.receipt, { content: Buffer.from(entry.payload!, "utf8") });
      t.same(steps.filter((s) => !s.ok).map((s) => `${s.step}: ${s.reason}`), [], `${entry.kind} ${entry.bizStep ?? ""} on ${entry.via}`);
    }
  });

  await t.test("answers carry an ETag: a revalidation is a 304 until a new event changes the history", async (t) => {
    const first = await trace(item1);
    const etag = first.headers["etag"] as string;
    t.match(first.headers["cache-control"], /public/);
    t.equal((await trace(item1, { "if-none-match": etag })).statusCode, 304);
    await capture([objectEvent({ eventTime: "2026-02-06T09:00:00.000+08:00", epcList: [item1], bizStep: "inspecting" })]);
    const changed = await trace(item1, { "if-none-match": etag });
    t.equal(changed.statusCode, 200, "a new event is seen at once");
    t.ok((changed.json().timeline as Entry[]).some((e) => e.bizStep === "inspecting"));
  });

  await t.test("a URI that is not a GS1 Digital Link is a 400 naming query.uri; an unknown item a 404", async (t) => {
    const bad = await trace("https://example.com/01/123");
    t.equal(bad.statusCode, 400);
    t.match(bad.json().error, { code: "VALIDATION_FAILED", field: "query.uri" });
    const unknown = await trace(`${PUBLIC_BASE_URL}/01/0${gtin}/21/NOSUCHSERIAL1`);
    t.equal(unknown.statusCode, 404);
    t.match(unknown.json().error, { code: "NOT_FOUND", field: "query.uri" });
    t.equal((await trace(`https://id.gs1.org/01/0${gtin}`)).statusCode, 200, "any host: the QR code may carry id.gs1.org");
  });
});
