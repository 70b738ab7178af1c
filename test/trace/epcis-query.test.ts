// The EPCIS 2.0 query interface (GET /epcis/events, GET /epcis/epcs/{epc}/events) against
// PostgreSQL: each SimpleEventQuery filter answers what EPCIS 2.0 §8.2.7.1 says it does, pages
// follow RFC 8288 Link: rel="next" to the end without repeating or skipping an event, a merchant's
// query sees only its own events while the per-object query is public, bad values are a 400 naming
// the parameter, and every filter is read through an index (EXPLAIN with sequential scans off).
import { sql } from "kysely";
import t from "tap";
import { validateEpcisDocument } from "../../src/epcis/index.ts";
import { SubjectMapper } from "../../src/trace/events/objects.ts";
import { parseEventQuery } from "../../src/trace/events/query-params.ts";
import { eventRows } from "../../src/trace/events/query.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { aggregationEvent, epcisDocument, lgtin, objectEvent, sgtin, sscc } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

t.test("EPCIS queries", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Shop A", "9520001");
  const b = await merchantWithPrefix(h, "Shop B", "9520002");
  const g1 = gtinUnder("9520001", 11);
  const g2 = gtinUnder("9520001", 12);
  const gb = gtinUnder("9520002", 13);
  const box = sscc("9520001", "77");
  const s1 = sgtin(g1, "S1");
  const s2 = sgtin(g1, "S2");
  const lot = lgtin(g1, "L1");
  const pattern = `urn:epc:idpat:sgtin:${g1.slice(0, 7)}.0${g1.slice(7, 12)}.*`;

  // A's five events, one a day, and one of B's.
  const events = {
    commissioned: objectEvent({ eventTime: "2026-03-01T08:00:00.000+08:00", action: "ADD", epcList: [s1, s2], bizStep: "commissioning", disposition: "active" }),
    packed: aggregationEvent("ADD", box, [s1, s2], "2026-03-02T08:00:00.000+08:00", { bizStep: "packing", disposition: "in_progress" }),
    shipped: objectEvent({ eventTime: "2026-03-03T08:00:00.000+08:00", epcList: [box], bizStep: "shipping", disposition: "in_transit" }),
    lotReceived: objectEvent({ eventTime: "2026-03-04T08:00:00.000+08:00", quantityList: [{ epcClass: lot, quantity: 20 }], bizStep: "receiving", disposition: "in_progress" }),
    otherShipped: objectEvent({ eventTime: "2026-03-05T08:00:00.000+08:00", epcList: [sgtin(g2, "T1")], bizStep: "https://ref.gs1.org/cbv/BizStep-shipping", disposition: "in_transit" }),
  };
  const bEvent = objectEvent({ eventTime: "2026-03-01T09:00:00.000+08:00", action: "ADD", epcList: [sgtin(gb, "B1")], bizStep: "commissioning", disposition: "active" });
  for (const [key, document] of [[a, epcisDocument(Object.values(events))], [b, epcisDocument([bEvent])]] as const) {
    const res = await h.app.inject({ method: "POST", url: "/epcis/capture", headers: bearer(key), payload: document });
    t.equal(res.statusCode, 202, `captured: ${res.body}`);
  }

  const get = (url: string, key: { token: string } | null = a) => h.app.inject({ method: "GET", url, headers: key ? bearer(key) : {} });
  const times = (res: { json(): unknown }) => (res.json() as { epcisBody: { queryResults: { resultsBody: { eventList: Array<{ eventTime: string }> } } } }).epcisBody.queryResults.resultsBody.eventList.map((e) => e.eventTime);
  const q = (params: Record<string, string>) => `/epcis/events?${new URLSearchParams(params).toString()}`;
  const at = (...names: Array<keyof typeof events>) => names.map((n) => events[n].eventTime);

  await t.test("answers an EPCISQueryDocument of the merchant's own events in eventTime order, each with its recordTime", async (t) => {
    const res = await get("/epcis/events");
    t.equal(res.statusCode, 200, res.body);
    t.match(res.headers["content-type"], /^application\/ld\+json/);
    t.equal(res.headers["gs1-epcis-version"], "2.0.0");
    t.notOk(res.headers["link"], "one page: no next link");
    t.same(times(res), at("commissioned", "packed", "shipped", "lotReceived", "otherShipped"), "A's events only, oldest first");
    const document = res.json();
    t.same(validateEpcisDocument(document), [], "valid against the EPCIS 2.0 JSON Schema as an EPCISQueryDocument");
    const [first] = document.epcisBody.queryResults.resultsBody.eventList;
    t.match(first, { type: "ObjectEvent", eventID: /^ni:\/\/\/sha-256;/, recordTime: /Z$/ });
    t.same(times(await get("/epcis/events", b)), [bEvent.eventTime], "B sees only B's");
  });

  await t.test("EQ_bizStep and EQ_disposition take a CBV term in any of its forms, any of several values", async (t) => {
    t.same(times(await get(q({ EQ_bizStep: "shipping" }))), at("shipped", "otherShipped"), "bare term (and the Web URI it was captured as)");
    t.same(times(await get(q({ EQ_bizStep: "https://ref.gs1.org/cbv/BizStep-shipping" }))), at("shipped", "otherShipped"), "Web URI");
    t.same(times(await get(q({ EQ_bizStep: "urn:epcglobal:cbv:bizstep:packing|receiving" }))), at("packed", "lotReceived"), "two values, | separated");
    t.same(times(await get(q({ EQ_disposition: "in_progress", EQ_bizStep: "receiving" }))), at("lotReceived"), "parameters all hold at once");
    t.same(times(await get(q({ EQ_bizStep: "https://shop.example/voc/unboxing" }))), [], "a user vocabulary URI is a value like any other");
  });

  await t.test("eventTime and recordTime ranges: GE inclusive, LT exclusive", async (t) => {
    t.same(times(await get(q({ GE_eventTime: "2026-03-02T08:00:00+08:00", LT_eventTime: "2026-03-04T08:00:00+08:00" }))), at("packed", "shipped"));
    t.same(times(await get(q({ GE_recordTime: new Date(Date.now() + 60_000).toISOString() }))), [], "nothing recorded in the future");
    t.equal(times(await get(q({ LT_recordTime: new Date(Date.now() + 60_000).toISOString() }))).length, 5);
  });

  await t.test("object filters look at the fields EPCIS 2.0 §8.2.7.1 names, with EPC URIs, Digital Links and SGTIN patterns", async (t) => {
    t.same(times(await get(q({ MATCH_epc: s1 }))), at("commissioned", "packed"), "MATCH_epc: epcList and childEPCs");
    t.same(times(await get(q({ MATCH_epc: `https://id.gs1.org/01/0${g1}/21/S1` }))), at("commissioned", "packed"), "the same item as a Digital Link");
    t.same(times(await get(q({ MATCH_epc: box }))), at("shipped"), "MATCH_epc leaves out the parentID of the packing");
    t.same(times(await get(q({ MATCH_parentID: box }))), at("packed"), "MATCH_parentID");
    t.same(times(await get(q({ MATCH_anyEPC: box }))), at("packed", "shipped"), "MATCH_anyEPC: parentID and epcList");
    t.same(times(await get(q({ MATCH_anyEPC: pattern }))), at("commissioned", "packed"), "GTIN: every item of it, by SGTIN pattern");
    t.same(times(await get(q({ MATCH_anyEPCClass: pattern }))), at("lotReceived"), "GTIN: the product and its lots, by the same pattern on classes");
    t.same(times(await get(q({ MATCH_epcClass: lot }))), at("lotReceived"), "lot: its LGTIN");
    t.same(times(await get(q({ MATCH_epcClass: `${PUBLIC_BASE_URL}/01/0${g1}/10/L1` }))), at("lotReceived"), "lot: its Digital Link");
    t.same(times(await get(q({ MATCH_anyEPC: `${s1}|${sgtin(g2, "T1")}`, EQ_bizStep: "shipping" }))), at("otherShipped"), "values of one parameter: any; parameters: all");
    t.same(times(await get(q({ MATCH_anyEPC: sgtin(gb, "B1") }))), [], "another merchant's item is not in A's repository");
  });

  await t.test("pages follow Link: rel=\"next\" to the end, each event once, in order", async (t) => {
    const seen: string[] = [];
    let url: string | null = q({ perPage: "2" });
    let pages = 0;
    while (url !== null) {
      const res = await get(url);
      t.equal(res.statusCode, 200, res.body);
      seen.push(...times(res));
      pages++;
      const link = res.headers["link"] as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      if (url) t.match(url, /^\/epcis\/events\?perPage=2&nextPageToken=/, "the next page keeps the filters");
    }
    t.equal(pages, 3, "5 events in pages of 2");
    t.same(seen, at("commissioned", "packed", "shipped", "lotReceived", "otherShipped"));

    const first = await get(q({ perPage: "1", MATCH_epc: box, EQ_bizStep: "shipping" }));
    t.same(times(first), at("shipped"));
    t.notOk(first.headers["link"], "a field-specific filter ends on its last match");
    const token = /nextPageToken=([^>&]+)/.exec((await get(q({ perPage: "1" }))).headers["link"] as string)![1]!;
    const other = await get(q({ perPage: "1", EQ_bizStep: "shipping", nextPageToken: decodeURIComponent(token) }));
    t.equal(other.statusCode, 400);
    t.equal(other.json().error.field, "query.nextPageToken", "a token is good only with the filters it came from");
  });

  await t.test("GET /epcis/epcs/{epc}/events is public: the events of one object, whoever captured them", async (t) => {
    const path = (epc: string) => `/epcis/epcs/${encodeURIComponent(epc)}/events`;
    const res = await get(path(s1), null);
    t.equal(res.statusCode, 200, res.body);
    t.same(times(res), at("commissioned", "packed"));
    t.same(times(await get(path(`https://id.gs1.org/01/0${g1}/21/S1`), null)), at("commissioned", "packed"), "the item as a Digital Link");
    t.same(times(await get(path(box), null)), at("packed", "shipped"), "a case: as parentID and in epcList");
    t.same(times(await get(path(lot), null)), at("lotReceived"), "a lot, as an EPC class");
    t.same(times(await get(path(sgtin(gb, "B1")), null)), [bEvent.eventTime], "B's item, to anyone");
    t.same(times(await get(`${path(box)}?EQ_bizStep=shipping`, null)), at("shipped"), "further filters narrow it");
    const patterned = await get(path(pattern), null);
    t.equal(patterned.statusCode, 400, "a pattern would list every serial of a GTIN");
    t.equal(patterned.json().error.field, "params.epc");
    const junk = await get(path("not-an-epc"), null);
    t.equal(junk.statusCode, 400);
    t.equal(junk.json().error.field, "params.epc");
  });

  await t.test("a bad value or an unknown parameter is a 400 naming it; no key is a 401", async (t) => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ perPage: "0" }, "query.perPage"],
      [{ perPage: "1001" }, "query.perPage"],
      [{ perPage: "2.5" }, "query.perPage"],
      [{ EQ_bizStep: "not a step" }, "query.EQ_bizStep"],
      [{ EQ_disposition: "in_transit|" }, "query.EQ_disposition"],
      [{ GE_eventTime: "yesterday" }, "query.GE_eventTime"],
      [{ LT_eventTime: "2026-03-01T00:00:00" }, "query.LT_eventTime"],
      [{ GE_eventTime: "2026-03-02T00:00:00Z", LT_eventTime: "2026-03-01T00:00:00Z" }, "query.LT_eventTime"],
      [{ MATCH_epc: "urn:epc:idpat:sgtin:9520001.*.*" }, "query.MATCH_epc"],
      [{ MATCH_epc: lot }, "query.MATCH_epc"],
      [{ MATCH_epcClass: s1 }, "query.MATCH_epcClass"],
      [{ MATCH_anyEPC: "https://example.com/not-gs1" }, "query.MATCH_anyEPC"],
      [{ nextPageToken: "bm90IGEgdG9rZW4" }, "query.nextPageToken"],
      [{ eventType: "ObjectEvent" }, "query.eventType"],
      [{ EQ_readPoint: "urn:epc:id:sgln:9520001.00001.0" }, "query.EQ_readPoint"],
    ];
    for (const [params, field] of cases) {
      const res = await get(q(params));
      t.equal(res.statusCode, 400, `${JSON.stringify(params)}: 400`);
      t.match(res.json().error, { code: "VALIDATION_FAILED", field }, `${JSON.stringify(params)}: names ${field}`);
    }
    const anonymous = await get("/epcis/events", null);
    t.equal(anonymous.statusCode, 401);
  });

  await t.test("every filter is read through an index: with sequential scans off, no plan has one", async (t) => {
    const mapper = new SubjectMapper(PUBLIC_BASE_URL);
    const filters: Array<Record<string, string>> = [
      {},
      { EQ_bizStep: "shipping" },
      { EQ_disposition: "in_transit" },
      { GE_eventTime: "2026-03-02T00:00:00Z", LT_eventTime: "2026-03-04T00:00:00Z" },
      { GE_recordTime: "2026-01-01T00:00:00Z" },
      { MATCH_epc: s1 },
      { MATCH_anyEPC: pattern },
      { MATCH_anyEPCClass: pattern },
      { MATCH_epcClass: lot },
    ];
    for (const scope of [{ merchantId: a.merchantId }, { merchantId: null }]) {
      for (const params of filters) {
        // The public query always names an object.
        if (scope.merchantId === null && !Object.keys(params).some((k) => k.startsWith("MATCH_"))) continue;
        const query = parseEventQuery(params, mapper);
        const plan = await h.database.db.transaction().execute(async (tx) => {
          await sql`set local enable_seqscan = off`.execute(tx);
          const rows = await eventRows(tx, scope, query, { eventTime: new Date("2026-01-01T00:00:00Z"), hashId: "", declaration: false }, 31).explain();
          return rows.map((r) => String(Object.values(r)[0])).join("\n");
        });
        t.match(plan, /Index (Only )?Scan using epcis_/, `${JSON.stringify(params)}: read through an index of ours`);
        t.notMatch(plan, /Seq Scan/, `${scope.merchantId ? "merchant" : "public"} ${JSON.stringify(params)}: index only\n${plan}`);
      }
    }
  });
});
