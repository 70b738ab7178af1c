// Validation of EPCIS 2.0 documents and events against the official JSON Schema (schema.ts), with
// ajv's errors turned into one issue per wrong field, named as a client would look for it:
// `epcisBody.eventList[3].bizStep`, not `#/allOf/2/anyOf/1/enum`.
import type { ErrorObject } from "ajv";
import { schemaValidator } from "./schema.ts";

export interface ValidationIssue {
  /** The field, as a path into the submitted JSON: `epcisBody.eventList[3].bizStep`. */
  path: string;
  /** The same field as an RFC 6901 JSON pointer: `/epcisBody/eventList/3/bizStep`. */
  pointer: string;
  /** The position of the event in the document's eventList, when the field is in one. */
  eventIndex?: number;
  message: string;
}

/** More issues than this are not listed: a 10,000-event capture answers with the first ones. */
export const MAX_ISSUES = 100;

/** The issues of an EPCIS document (or query document), [] when it is valid. */
export function validateEpcisDocument(document: unknown): ValidationIssue[] {
  return issuesOf(schemaValidator(), document, "");
}

/**
 * The issues of one event as it stands in a document's eventList (its @context may come from
 * the document), [] when it is valid. `at` is the event's pointer in the document, to name fields.
 */
export function validateEpcisEvent(event: unknown, at = ""): ValidationIssue[] {
  return issuesOf(schemaValidator("EPCIS-Document-Event"), event, at);
}

function issuesOf(validate: ReturnType<typeof schemaValidator>, data: unknown, at: string): ValidationIssue[] {
  if (validate(data)) return [];
  return describe(validate.errors ?? []).slice(0, MAX_ISSUES).map(({ pointer, message }) => issue(at + pointer, message));
}

// Keywords that only say "a part failed": the part's own error says which and why.
const COMPOSITE = new Set(["if", "then", "else", "allOf", "anyOf", "oneOf"]);
const STRING_KEYWORDS = new Set(["enum", "format", "pattern"]);

/**
 * One message per field. `required` and `propertyNames` errors are moved onto the field they
 * name. Errors of alternatives (`anyOf` in the schema: "epcList, quantityList or
 * sensorElementList"; "a CBV term or a URI") are merged into one message per field.
 */
function describe(errors: ErrorObject[]): { pointer: string; message: string }[] {
  const byPointer = new Map<string, ErrorObject[]>();
  const missingAlternatives = new Map<string, Set<string>>();
  for (const error of errors) {
    if (COMPOSITE.has(error.keyword)) continue;
    if (error.keyword === "required" && error.schemaPath.includes("/anyOf/")) {
      // One of several fields is required ("epcList, quantityList or sensorElementList").
      const set = missingAlternatives.get(error.instancePath) ?? new Set<string>();
      set.add((error.params as { missingProperty: string }).missingProperty);
      missingAlternatives.set(error.instancePath, set);
      continue;
    }
    const pointer = pointerOf(error);
    byPointer.set(pointer, [...(byPointer.get(pointer) ?? []), error]);
  }
  // The enum/format/pattern failures of a bad property name are reported on the object that
  // holds it; the propertyNames error already names the property.
  for (const error of errors) {
    if (error.keyword !== "propertyNames") continue;
    const onObject = byPointer.get(error.instancePath)?.filter((e) => !STRING_KEYWORDS.has(e.keyword));
    if (onObject?.length) byPointer.set(error.instancePath, onObject);
    else byPointer.delete(error.instancePath);
  }
  for (const [parent, fields] of missingAlternatives) {
    // A present but malformed alternative (an epcList that is not a list) says more.
    const presentAlternativeFailed = [...byPointer.keys()].some((p) => p.startsWith(`${parent}/`));
    if (!presentAlternativeFailed) byPointer.set(parent, [alternativesError(parent, [...fields])]);
  }
  return [...byPointer].map(([pointer, group]) => ({ pointer, message: messageOf(pointer, group) }));
}

const alternativesError = (instancePath: string, fields: string[]): ErrorObject => ({
  instancePath,
  schemaPath: "",
  keyword: "x-one-of-fields",
  params: { fields },
});

function pointerOf(error: ErrorObject): string {
  if (error.keyword === "required") return `${error.instancePath}/${escape((error.params as { missingProperty: string }).missingProperty)}`;
  if (error.keyword === "propertyNames") return `${error.instancePath}/${escape((error.params as { propertyName: string }).propertyName)}`;
  return error.instancePath;
}

const escape = (key: string) => key.replaceAll("~", "~0").replaceAll("/", "~1");

const EVENT_TYPES = "ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent";

function messageOf(pointer: string, group: ErrorObject[]): string {
  const keywords = new Set(group.map((e) => e.keyword));
  const first = group[0]!;
  if (keywords.has("x-one-of-fields")) return `must have ${orList((first.params as { fields: string[] }).fields)}`;
  if (keywords.has("required")) return "is required";
  // propertyNames errors come with the name's own format/enum failures: one message says it.
  if (keywords.has("propertyNames")) {
    return "is not a field defined here: a user extension's name needs a namespace prefix (e.g. example:myField)";
  }
  // "A standard term or a URI": the term list failed and so did the URI alternative.
  const enumError = group.find((e) => e.keyword === "enum");
  const uriAlternative = group.some((e) => e.keyword === "format" || (e.keyword === "pattern" && e.schemaPath.includes("vocab")));
  if (enumError && uriAlternative) return vocabularyMessage(group, enumError);
  if (enumError) return plainMessage(enumError);
  // The schema's one cross-field rule: ilmd only in an ObjectEvent whose action is ADD (its
  // `not: {}` on ilmd, and `^OBSERVE$`/`^DELETE$`/`^ADD$` patterns on action).
  if (pointer.endsWith("/ilmd") && keywords.has("not")) return "is only allowed in an ObjectEvent whose action is ADD";
  if (group.every((e) => e.keyword === "pattern" && /^\^\w+\$$/.test(String(e.params.pattern)))) {
    return "does not fit the event's other fields (an ObjectEvent with ilmd must be an ADD)";
  }
  if (pointer.endsWith("/type") && keywords.has("format") && group.length === 1) {
    return `must be an EPCIS event type (${EVENT_TYPES}) or the URI of an extension event type`;
  }
  return [...new Set(group.map(plainMessage))].join("; ");
}

/** A value that is neither one of the standard terms nor an acceptable URI. */
function vocabularyMessage(group: ErrorObject[], enumError: ErrorObject): string {
  const terms = (enumError.params as { allowedValues: unknown[] }).allowedValues.map(String);
  const shown = terms.length > 8 ? `${terms.slice(0, 8).join(", ")}, …` : terms.join(", ");
  const urnRefused = group.some((e) => e.keyword === "pattern" && e.schemaPath.includes("vocab-other-uri"));
  const gs1VocRefused = group.some((e) => e.keyword === "pattern" && e.schemaPath.includes("nonGS1WebVoc"));
  let message = `must be a standard term (${shown}) or a URI of another vocabulary`;
  if (urnRefused) message += "; CBV 1.x URNs (urn:epcglobal:cbv:…) are not allowed in EPCIS 2.0 JSON: write the bare term";
  if (gs1VocRefused) message += "; a GS1 Web Vocabulary term is written bare (Temperature), not as https://gs1.org/voc/…";
  return message;
}

function plainMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type":
      return `must be ${article(String(params.type))}`;
    case "format":
      return params.format === "date-time"
        ? "must be a date-time with a time zone offset (RFC 3339, e.g. 2024-05-01T09:30:00.000+08:00)"
        : `must be ${article(String(params.format))}`;
    case "enum":
      return `must be one of: ${(params.allowedValues as unknown[]).map(String).join(", ")}`;
    case "pattern":
      return `must match ${String(params.pattern)}`;
    case "not":
      return "is not allowed here";
    default:
      return error.message ?? error.keyword;
  }
}

const article = (noun: string) => (noun === "uri" ? "a URI" : /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

const orList = (items: string[]) => (items.length < 2 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`);

const EVENT_LIST = /^\/epcisBody\/(?:eventList|queryResults\/resultsBody\/eventList)\/(\d+)(?=\/|$)/;

function issue(pointer: string, message: string): ValidationIssue {
  const event = EVENT_LIST.exec(pointer);
  const path = pathOf(pointer);
  return event ? { path, pointer, eventIndex: Number(event[1]), message } : { path, pointer, message };
}

/** `/epcisBody/eventList/3/example:x` → `epcisBody.eventList[3]["example:x"]`. */
export function pathOf(pointer: string): string {
  let path = "";
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (/^\d+$/.test(key)) path += `[${key}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(key)) path += path === "" ? key : `.${key}`;
    else path += `[${JSON.stringify(key)}]`;
  }
  return path;
}
