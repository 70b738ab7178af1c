// The pre-hash string of the CBV 2.0 event hash ID (CBV 2.0 §8.9): the event's content in
// canonical property order, `key=value` pairs concatenated without separators, lists sorted,
// then the fields without a place in that order (business transactions, sources, destinations,
// ILMD, user extensions) sorted among themselves. Rule numbers are those of the algorithm
// description (see values.ts); the order is the reference implementation's, which the published
// vectors follow where it differs from the description's table.
import { cbvWebUri } from "../cbv.ts";
import type { VocabularyName } from "../cbv.ts";
import { canonicalTimestamp, canonicalUri, expandCompactUri, scalarText, sortedJoin } from "./values.ts";
import type { Namespaces } from "./values.ts";

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (value: Json): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const asList = (value: Json): Json[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** What a field's value is, for the canonical order. */
type Shape =
  | { kind: "value"; time?: true; vocabulary?: VocabularyName }
  | { kind: "list"; member: string; of: Shape } // epcList → epc=…, sorted
  | { kind: "object"; fields: Fields; known: ReadonlySet<string> } // fields in order, then extensions sorted
  | { kind: "values"; fields: Fields }; // persistentDisposition: each field's values, sorted

type Fields = readonly (readonly [name: string, shape: Shape])[];

const object = (fields: Fields): Shape => ({ kind: "object", fields, known: new Set(fields.map(([name]) => name)) });
const value: Shape = { kind: "value" };
const time: Shape = { kind: "value", time: true };
const vocabulary = (name: VocabularyName): Shape => ({ kind: "value", vocabulary: name });
const epcs: Shape = { kind: "list", member: "epc", of: value };
const quantities: Shape = {
  kind: "list",
  member: "quantityElement",
  of: object([["epcClass", value], ["quantity", value], ["uom", value]]),
};
const place: Shape = object([["id", value]]);

const SENSOR_METADATA: Fields = [
  ["time", time], ["startTime", time], ["endTime", time], ["deviceID", value], ["deviceMetadata", value],
  ["rawData", value], ["dataProcessingMethod", value], ["bizRules", value],
];

const SENSOR_REPORT: Fields = [
  ["type", vocabulary("measurementType")], ["exception", vocabulary("sensorAlertType")], ["deviceID", value],
  ["deviceMetadata", value], ["rawData", value], ["dataProcessingMethod", value], ["time", time],
  ["microorganism", value], ["chemicalSubstance", value], ["value", value], ["component", vocabulary("sensorComponent")],
  ["stringValue", value], ["booleanValue", value], ["hexBinaryValue", value], ["uriValue", value], ["minValue", value],
  ["maxValue", value], ["meanValue", value], ["sDev", value], ["percRank", value], ["percValue", value], ["uom", value],
  ["coordinateReferenceSystem", value],
];

const SENSOR_ELEMENT: Shape = object([
  ["sensorMetadata", object(SENSOR_METADATA)],
  ["sensorReport", object(SENSOR_REPORT)],
]);

/** Rule 1 and the canonical property order, after `eventType`. */
const EVENT_ORDER: Fields = [
  ["eventTime", time], ["eventTimeZoneOffset", value], ["certificationInfo", value], ["parentID", value],
  ["epcList", epcs], ["inputEPCList", epcs], ["childEPCs", epcs], ["quantityList", quantities],
  ["childQuantityList", quantities], ["inputQuantityList", quantities], ["outputEPCList", epcs],
  ["outputQuantityList", quantities], ["action", value], ["transformationID", value],
  ["bizStep", vocabulary("bizStep")], ["disposition", vocabulary("disposition")],
  ["persistentDisposition", { kind: "values", fields: [["set", vocabulary("disposition")], ["unset", vocabulary("disposition")]] }],
  ["readPoint", place], ["bizLocation", place],
  ["sensorElementList", { kind: "list", member: "sensorElement", of: SENSOR_ELEMENT }],
];

/** Rule 13: typed lists whose entries are written `type=…` then the entry's own value. */
const TYPED_LISTS: Record<string, readonly [member: string, typeVocabulary: VocabularyName]> = {
  bizTransactionList: ["bizTransaction", "bizTransactionType"],
  sourceList: ["source", "sourceDestinationType"],
  destinationList: ["destination", "sourceDestinationType"],
};

/**
 * Fields that never enter the hash: what a repository adds (recordTime, eventID), the event
 * type (written first as eventType), the errorDeclaration (an EPCIS 2.0 error declaration is the
 * original event sent again with errorDeclaration added: it must keep the original's hash ID to
 * be matched with it) and the JSON-LD context.
 */
const EXCLUDED = new Set(["type", "recordTime", "eventID", "errorDeclaration", "@context"]);

/** Comments are annotations, not content (the reference drops them at every level). */
const isComment = (key: string) => key === "comment" || key === "rdfs:comment";

export interface PrehashContext {
  namespaces: Namespaces;
  /** Further top-level fields to leave out, as written in the event (e.g. `example:captureID`). */
  ignoreFields?: ReadonlySet<string>;
}

/** The pre-hash string of one EPCIS 2.0 event in its JSON-LD form. */
export function prehashString(event: JsonObject, context: PrehashContext): string {
  const { namespaces, ignoreFields } = context;
  let out = `eventType=${typeof event.type === "string" ? event.type.trim() : ""}`;
  for (const [name, shape] of EVENT_ORDER) out += field(name, event[name], shape, namespaces);
  const tail: string[] = [];
  for (const key of Object.keys(event)) {
    if (EXCLUDED.has(key) || isComment(key) || ignoreFields?.has(key) || ORDERED_EVENT_FIELDS.has(key)) continue;
    const typed = Object.hasOwn(TYPED_LISTS, key) ? TYPED_LISTS[key] : undefined;
    if (typed) tail.push(typedList(key, event[key], typed, namespaces));
    else tail.push(...generic(expandKey(key, namespaces), event[key], namespaces));
  }
  return out + sortedJoin(tail.filter((part) => part !== ""));
}

const ORDERED_EVENT_FIELDS = new Set(EVENT_ORDER.map(([name]) => name));

/** One field of the canonical order: `name=value`, or `name` followed by its parts; "" if empty. */
function field(name: string, raw: Json, shape: Shape, namespaces: Namespaces): string {
  if (raw === undefined || raw === null) return "";
  switch (shape.kind) {
    case "value": {
      if (!Array.isArray(raw)) {
        const text = scalar(raw, shape, namespaces);
        return text === "" ? "" : `${name}=${text}`;
      }
      const parts = asList(raw).map((v) => scalar(v, shape, namespaces)).filter((t) => t !== "");
      return sortedJoin(parts.map((t) => `${name}=${t}`));
    }
    case "list": {
      const members = asList(raw).map((member) => field(shape.member, member, shape.of, namespaces));
      return wrap(name, sortedJoin(members.filter((m) => m !== "")));
    }
    case "object":
      return sortedJoin(asList(raw).map((member) => wrap(name, objectBody(member, shape, namespaces))).filter((m) => m !== ""));
    case "values":
      return wrap(name, isObject(raw) ? shape.fields.map(([f, s]) => field(f, raw[f], s, namespaces)).join("") : "");
  }
}

const wrap = (name: string, body: string) => (body === "" ? "" : name + body);

/** Rule 19: an object's fields in order, then its extensions at the end, sorted. */
function objectBody(raw: Json, { fields, known }: Shape & { kind: "object" }, namespaces: Namespaces): string {
  if (!isObject(raw)) return "";
  let body = "";
  for (const [name, shape] of fields) body += field(name, raw[name], shape, namespaces);
  const extensions: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!known.has(key) && !isComment(key)) extensions.push(...generic(expandKey(key, namespaces), raw[key], namespaces));
  }
  return body + sortedJoin(extensions);
}

/** A scalar of the canonical order, with its field's vocabulary and time rules applied. */
function scalar(raw: Json, shape: Shape & { kind: "value" }, namespaces: Namespaces): string {
  if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") return "";
  if (shape.time && typeof raw === "string") return canonicalTimestamp(raw.trim());
  // Rule 16: a bare term of a standard vocabulary stands for its Web URI.
  const text = shape.vocabulary && typeof raw === "string" ? cbvWebUri(shape.vocabulary, raw.trim()) : raw;
  return canonicalText(text, namespaces);
}

function canonicalText(raw: string | number | boolean, namespaces: Namespaces): string {
  const text = scalarText(raw);
  return typeof raw === "string" ? canonicalUri(expandCompactUri(text, namespaces)) : text;
}

/** Rule 13: `type=…` first, then the entry's identifier, then any extension; entries sorted. */
function typedList(name: string, raw: Json, [member, typeVocabulary]: readonly [string, VocabularyName], namespaces: Namespaces): string {
  const entries = asList(raw).map((entry) => {
    if (!isObject(entry)) return "";
    const type = field("type", entry.type, vocabulary(typeVocabulary), namespaces);
    const id = field(member, entry[member], value, namespaces);
    const extensions = Object.keys(entry)
      .filter((key) => key !== "type" && key !== member && !isComment(key))
      .flatMap((key) => generic(expandKey(key, namespaces), entry[key], namespaces));
    return type + id + sortedJoin(extensions);
  });
  return wrap(name, sortedJoin(entries.filter((e) => e !== "")));
}

/**
 * Rules 18–19: ILMD and user extensions, at any depth: `{namespace}localName=value`, or the key
 * followed by its children sorted. A list repeats its key for each member, except a list whose
 * name ends in `List`, written once with members named without the suffix (as in the XML
 * binding, where `<fooList>` wraps `<foo>` elements).
 */
function generic(key: string, raw: Json, namespaces: Namespaces): string[] {
  if (raw === undefined || raw === null) return [];
  if (key.endsWith("List")) {
    const members = asList(raw).flatMap((m) => generic(key.slice(0, -4), m, namespaces));
    return members.length === 0 ? [] : [key + sortedJoin(members)];
  }
  if (Array.isArray(raw)) return raw.flatMap((member) => generic(key, member, namespaces));
  if (isObject(raw)) {
    const children = Object.keys(raw)
      .filter((k) => !isComment(k))
      .flatMap((k) => generic(expandKey(k, namespaces), raw[k], namespaces));
    return [key + sortedJoin(children)];
  }
  if (typeof raw !== "string" && typeof raw !== "number" && typeof raw !== "boolean") return [];
  const text = canonicalText(raw, namespaces);
  return [text === "" ? key : `${key}=${text}`];
}

/** `example:myField` → `{https://ns.example.com/epcis/}myField` when the prefix is declared. */
function expandKey(key: string, namespaces: Namespaces): string {
  const colon = key.indexOf(":");
  if (colon <= 0) return key;
  const iri = namespaces.get(key.slice(0, colon));
  return iri === undefined ? key : `{${iri}}${key.slice(colon + 1)}`;
}
