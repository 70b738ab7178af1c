// The CBV 2.0 event hash ID names the content of an event, not the way it was written down.
import t from "tap";
import { canonicalNumber, canonicalTimestamp, compareCodePoints, eventHashId, eventHashIdsOfDocument, eventPrehash } from "../../src/epcis/index.ts";

const context = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { example: "https://ns.example.com/epcis/" }];

const shipped = (): Record<string, unknown> => ({
  type: "ObjectEvent",
  eventTime: "2024-05-01T09:30:00.000+08:00",
  eventTimeZoneOffset: "+08:00",
  epcList: ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
  action: "OBSERVE",
  bizStep: "shipping",
  disposition: "in_transit",
  readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
  bizTransactionList: [
    { type: "po", bizTransaction: "http://transaction.example.com/po/1" },
    { type: "desadv", bizTransaction: "http://transaction.example.com/desadv/9" },
  ],
  sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 4.5, uom: "CEL" }, { type: "RelativeHumidity", value: 60, uom: "P1" }] }],
  "example:carrier": "SF Express",
});

const id = (event: Record<string, unknown>) => eventHashId(event, { context });
const reversed = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).reverse());

t.test("the hash ID is a named-information URI of a SHA-256 (RFC 6920), version CBV2.0", async (t) => {
  t.match(id(shipped()), /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
});

t.test("the hash ID does not change when the event's properties come in another order", async (t) => {
  const event = shipped();
  const reordered = reversed({ ...event, readPoint: reversed(event.readPoint as Record<string, unknown>) });
  t.not(JSON.stringify(reordered), JSON.stringify(event));
  t.equal(id(reordered), id(event));
});

t.test("the hash ID does not change when list members come in another order", async (t) => {
  const event = shipped();
  const reordered = {
    ...event,
    epcList: [...(event.epcList as string[])].reverse(),
    bizTransactionList: [...(event.bizTransactionList as unknown[])].reverse(),
    sensorElementList: [{ sensorReport: [...((event.sensorElementList as { sensorReport: unknown[] }[])[0]!.sensorReport)].reverse() }],
  };
  t.equal(id(reordered), id(event));
});

t.test("a bare CBV term, its Web URI and its CBV 1.x URN hash alike", async (t) => {
  const bare = id(shipped());
  t.equal(id({ ...shipped(), bizStep: "https://ref.gs1.org/cbv/BizStep-shipping", disposition: "https://ref.gs1.org/cbv/Disp-in_transit" }), bare);
  t.equal(id({ ...shipped(), bizStep: "urn:epcglobal:cbv:bizstep:shipping", disposition: "urn:epcglobal:cbv:disp:in_transit" }), bare);
});

t.test("an EPC URI and the same key as a Digital Link on another host hash alike", async (t) => {
  const asDigitalLinks = {
    ...shipped(),
    epcList: ["https://brand.example.com/01/10614141073464/21/2017?linkType=pip", "https://id.gs1.org/01/10614141073464/21/2018"],
    readPoint: { id: "https://id.gs1.org/414/0614141073467/254/1234" },
  };
  t.equal(id(asDigitalLinks), id(shipped()));
});

t.test("the same instant written in another time zone or precision hashes alike", async (t) => {
  t.equal(id({ ...shipped(), eventTime: "2024-05-01T01:30:00Z" }), id(shipped()));
  t.equal(id({ ...shipped(), eventTime: "2024-05-01T03:30:00.000000+02:00" }), id(shipped()));
});

t.test("a namespace prefix is only a spelling: another prefix for the same namespace hashes alike", async (t) => {
  const event = shipped();
  const { "example:carrier": carrier, ...rest } = event;
  const other = eventHashId({ ...rest, "ex2:carrier": carrier }, { context: [{ ex2: "https://ns.example.com/epcis/" }] });
  t.equal(other, id(event));
});

t.test("what a repository adds, an error declaration and comments stay out of the hash", async (t) => {
  const annotated = {
    ...shipped(),
    eventID: "urn:uuid:7a2c1f0e-0000-4000-8000-000000000001",
    recordTime: "2024-05-02T00:00:00.000Z",
    errorDeclaration: { declarationTime: "2024-05-03T00:00:00.000Z", reason: "incorrect_data" },
    "rdfs:comment": "checked by hand",
  };
  t.equal(id(annotated), id(shipped()));
  t.equal(eventHashId({ ...shipped(), "example:captureID": "c-1" }, { context, ignoreFields: ["example:captureID"] }), id(shipped()));
});

t.test("any change of content changes the hash ID", async (t) => {
  const original = id(shipped());
  const changes: Record<string, Record<string, unknown>> = {
    "another EPC": { epcList: ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2019"] },
    "another bizStep": { bizStep: "receiving" },
    "one millisecond later": { eventTime: "2024-05-01T09:30:00.001+08:00" },
    "another extension value": { "example:carrier": "EMS" },
    "an added field": { bizLocation: { id: "urn:epc:id:sgln:0614141.07346.0" } },
    "another sensor reading": { sensorElementList: [{ sensorReport: [{ type: "Temperature", value: 4.6, uom: "CEL" }] }] },
  };
  for (const [what, change] of Object.entries(changes)) t.not(id({ ...shipped(), ...change }), original, what);
  const { disposition: _removed, ...withoutDisposition } = shipped();
  t.not(id(withoutDisposition), original, "a removed field");
});

t.test("the pre-hash string starts with the event type and follows the canonical order", async (t) => {
  const prehash = eventPrehash(shipped(), { context });
  t.ok(prehash.startsWith("eventType=ObjectEventeventTime=2024-05-01T01:30:00.000ZeventTimeZoneOffset=+08:00epcListepc=https://id.gs1.org/01/10614141073464/21/2017"));
  t.ok(prehash.endsWith("{https://ns.example.com/epcis/}carrier=SF Express"), "user extensions come last");
  t.match(prehash, /bizStep=https:\/\/ref\.gs1\.org\/cbv\/BizStep-shippingdisposition=https:\/\/ref\.gs1\.org\/cbv\/Disp-in_transit/);
});

t.test("every event of a document gets its hash ID, with the document's namespaces", async (t) => {
  const document = { "@context": context, type: "EPCISDocument", epcisBody: { eventList: [shipped(), { ...shipped(), bizStep: "receiving" }] } };
  t.same(eventHashIdsOfDocument(document), [id(shipped()), id({ ...shipped(), bizStep: "receiving" })]);
  t.same(eventHashIdsOfDocument({ type: "EPCISDocument" }), []);
});

t.test("timestamps: UTC, three decimals, the fourth rounding up from 5, carries included", async (t) => {
  t.equal(canonicalTimestamp("2023-02-02T11:04:03.1415Z"), "2023-02-02T11:04:03.142Z");
  t.equal(canonicalTimestamp("2023-02-02T11:04:03.1414Z"), "2023-02-02T11:04:03.141Z");
  t.equal(canonicalTimestamp("2023-12-31T23:59:59.9996+00:00"), "2024-01-01T00:00:00.000Z");
  t.equal(canonicalTimestamp("2005-04-03T20:33:31.116000-06:00"), "2005-04-04T02:33:31.116Z");
  t.equal(canonicalTimestamp("2024-05-01T09:30:00+05:45"), "2024-05-01T03:45:00.000Z");
  t.equal(canonicalTimestamp("2024-05-01"), "2024-05-01", "not a date-time: unchanged");
});

t.test("numbers: no trailing zeros, integers in full, tiny values as the reference writes them", async (t) => {
  t.equal(canonicalNumber(452.0), "452");
  t.equal(canonicalNumber(0.1), "0.1");
  t.equal(canonicalNumber(-0), "0");
  t.equal(canonicalNumber(1e21), "1000000000000000000000");
  t.equal(canonicalNumber(0.0001), "0.0001");
  t.equal(canonicalNumber(0.000015), "1.5e-05");
  t.equal(canonicalNumber(1.25e-300), "1.25e-300");
  t.equal(id({ ...shipped(), "example:weight": "12.50" }), id({ ...shipped(), "example:weight": 12.5 }), "a numeral string is a number");
});

t.test("sorting is by code point (UTF-8 order), not by UTF-16 code unit", async (t) => {
  const sorted = ["\u{1F600}", "\uFF01", "a", "Z"].sort(compareCodePoints);
  t.same(sorted, ["Z", "a", "\uFF01", "\u{1F600}"]);
});
