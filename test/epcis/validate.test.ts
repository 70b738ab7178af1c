// A client's mistake in an EPCIS document is named by field, the way the client wrote it.
import t from "tap";
import { MAX_ISSUES, pathOf, validateEpcisDocument, validateEpcisEvent } from "../../src/epcis/index.ts";

const shipping = () => ({
  type: "ObjectEvent",
  eventTime: "2024-05-01T09:30:00.000+08:00",
  eventTimeZoneOffset: "+08:00",
  epcList: ["urn:epc:id:sgtin:0614141.107346.2017"],
  action: "OBSERVE",
  bizStep: "shipping",
  disposition: "in_transit",
  readPoint: { id: "urn:epc:id:sgln:0614141.07346.1234" },
});

type Event = ReturnType<typeof shipping> & Record<string, unknown>;

const documentOf = (...events: Record<string, unknown>[]) => ({
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { example: "https://ns.example.com/epcis/" }],
  type: "EPCISDocument",
  schemaVersion: "2.0",
  creationDate: "2024-05-01T10:00:00.000+08:00",
  epcisBody: { eventList: events },
});

/** The issues of a document whose fourth event is `shipping()` changed by `change`. */
const issuesWhen = (change: (event: Event) => void) => {
  const broken: Event = shipping();
  change(broken);
  return validateEpcisDocument(documentOf(shipping(), shipping(), shipping(), broken));
};

t.test("a well-formed document of ObjectEvents is valid", async (t) => {
  t.same(validateEpcisDocument(documentOf(shipping(), shipping())), []);
});

t.test("an event without eventTime is refused, naming epcisBody.eventList[3].eventTime", async (t) => {
  t.same(issuesWhen((e) => delete (e as Partial<Event>).eventTime), [
    { path: "epcisBody.eventList[3].eventTime", pointer: "/epcisBody/eventList/3/eventTime", eventIndex: 3, message: "is required" },
  ]);
});

t.test("an eventTime without a time zone offset is refused", async (t) => {
  const [issue, ...rest] = issuesWhen((e) => (e.eventTime = "2024-05-01T09:30:00"));
  t.same(rest, []);
  t.equal(issue?.path, "epcisBody.eventList[3].eventTime");
  t.match(issue?.message, /time zone offset/);
});

t.test("a misspelt bizStep is refused, naming the field and the standard terms", async (t) => {
  const [issue, ...rest] = issuesWhen((e) => (e.bizStep = "shiping"));
  t.same(rest, []);
  t.equal(issue?.path, "epcisBody.eventList[3].bizStep");
  t.match(issue?.message, /standard term \(accepting, arriving/);
});

t.test("a CBV 1.x URN as bizStep is refused by the EPCIS 2.0 schema, with the bare term suggested", async (t) => {
  const [issue, ...rest] = issuesWhen((e) => (e.bizStep = "urn:epcglobal:cbv:bizstep:shipping"));
  t.same(rest, []);
  t.equal(issue?.path, "epcisBody.eventList[3].bizStep");
  t.match(issue?.message, /CBV 1\.x URNs .* write the bare term/);
});

t.test("a bizStep that is the CBV Web URI, or a URI of the merchant's own vocabulary, is valid", async (t) => {
  t.same(issuesWhen((e) => (e.bizStep = "https://ref.gs1.org/cbv/BizStep-shipping")), []);
  t.same(issuesWhen((e) => (e.bizStep = "https://vocab.example.com/bizstep/livestream_unboxing")), []);
});

t.test("an epcList that is a string, not a list, is refused as the wrong type", async (t) => {
  t.same(issuesWhen((e) => ((e as Record<string, unknown>).epcList = "urn:epc:id:sgtin:0614141.107346.2017")), [
    { path: "epcisBody.eventList[3].epcList", pointer: "/epcisBody/eventList/3/epcList", eventIndex: 3, message: "must be an array" },
  ]);
});

t.test("an ObjectEvent with neither epcList, quantityList nor sensorElementList is refused once, on the event", async (t) => {
  t.same(issuesWhen((e) => delete (e as Partial<Event>).epcList), [
    { path: "epcisBody.eventList[3]", pointer: "/epcisBody/eventList/3", eventIndex: 3, message: "must have epcList, quantityList or sensorElementList" },
  ]);
});

t.test("an action outside OBSERVE, ADD, DELETE is refused, listing the three", async (t) => {
  t.same(issuesWhen((e) => (e.action = "MOVE")).map((i) => [i.path, i.message]), [["epcisBody.eventList[3].action", "must be one of: OBSERVE, ADD, DELETE"]]);
});

t.test("a field the standard does not define is refused unless it has a namespace prefix", async (t) => {
  const [issue, ...rest] = issuesWhen((e) => (e.colour = "red"));
  t.same(rest, []);
  t.equal(issue?.path, "epcisBody.eventList[3].colour");
  t.match(issue?.message, /namespace prefix/);
  t.same(issuesWhen((e) => (e["example:colour"] = "red")), [], "example:colour is a user extension");
});

t.test("an unknown event type is refused on the type field", async (t) => {
  const [issue] = issuesWhen((e) => (e.type = "ShippingEvent"));
  t.equal(issue?.path, "epcisBody.eventList[3].type");
  t.match(issue?.message, /ObjectEvent, AggregationEvent/);
});

t.test("a document missing its envelope fields names each one", async (t) => {
  const { schemaVersion: _v, creationDate: _c, ...document } = documentOf(shipping());
  t.same(validateEpcisDocument(document).map((i) => i.path).sort(), ["creationDate", "schemaVersion"]);
});

t.test("events in a query document are named under queryResults, with their index", async (t) => {
  const broken: Event = shipping();
  delete (broken as Partial<Event>).eventTime;
  const issues = validateEpcisDocument({
    "@context": "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
    type: "EPCISQueryDocument",
    schemaVersion: "2.0",
    creationDate: "2024-05-01T10:00:00.000+08:00",
    epcisBody: { queryResults: { queryName: "SimpleEventQuery", resultsBody: { eventList: [shipping(), broken] } } },
  });
  t.same(issues.map((i) => [i.path, i.eventIndex]), [["epcisBody.queryResults.resultsBody.eventList[1].eventTime", 1]]);
});

t.test("one event alone is validated as it stands in an eventList, and named from where it was", async (t) => {
  t.same(validateEpcisEvent(shipping()), []);
  const broken: Event = shipping();
  broken.bizStep = "shiping";
  const [issue] = validateEpcisEvent(broken, "/epcisBody/eventList/7");
  t.equal(issue?.path, "epcisBody.eventList[7].bizStep");
  t.equal(issue?.eventIndex, 7);
});

t.test(`a document with thousands of broken events answers with the first ${MAX_ISSUES} issues`, async (t) => {
  const broken = Array.from({ length: 2_000 }, () => ({ ...shipping(), bizStep: "shiping" }));
  const issues = validateEpcisDocument(documentOf(...broken));
  t.equal(issues.length, MAX_ISSUES);
  t.equal(issues[0]?.path, "epcisBody.eventList[0].bizStep");
});

t.test("paths quote keys that are not identifiers", async (t) => {
  t.equal(pathOf("/epcisBody/eventList/3/example:myField/a~1b"), 'epcisBody.eventList[3]["example:myField"]["a/b"]');
  t.equal(pathOf(""), "");
});
