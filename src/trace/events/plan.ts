// A capture document → the events to store, checked before anything is written: the official
// schema (src/epcis, every problem named by its field), each event's CBV 2.0 hash ID, and the
// objects it names with their subjects. Pure: no database.
import { AppError } from "../../errors.ts";
import { cbvTerm, eventHashId, eventsOfDocument, pathOf, validateEpcisDocument, type ValidationIssue } from "../../epcis/index.ts";
import { canonicalJson, MAX_JSON_DEPTH, nonJsonAt, sha256Hex } from "../../merkle/index.ts";
import { objectsOf, type NamedObject, type SubjectMapper } from "./objects.ts";

/** EPCIS 2.0 capture documents of up to this many events (issue 8). */
export const MAX_CAPTURE_EVENTS = 10_000;

export interface PlannedEvent {
  /** Position in the document's eventList, for error messages. */
  index: number;
  /** The event as captured, and the document's @context it was captured under. */
  source: Record<string, unknown>;
  context: unknown;
  /** The CBV 2.0 event hash ID (CBV 2.0 §8.9): the event's identity in Tracemark ("" until identifyEvents). */
  hashId: string;
  /** An error declaration (EPCIS 2.0 §7.4.1.6): the original event sent again with errorDeclaration. */
  declaration: boolean;
  /** The event's RFC 8785 bytes: the payload of its records. */
  payload: string;
  contentHash: string;
  eventType: string;
  eventTime: Date;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  objects: NamedObject[];
  /** The distinct subjects it is recorded on, in the order the event names them. */
  subjects: string[];
  /** An AggregationEvent that puts children into, or takes them out of, a container. */
  aggregation: { action: "ADD" | "DELETE"; parent: string; children: string[] } | null;
}

/** The field of an event, as the client wrote it: `body.epcisBody.eventList[3].epcList[0]`. */
export const eventField = (index: number, field?: string) => `body.epcisBody.eventList[${index}]${field === undefined ? "" : field.startsWith("[") ? field : `.${field}`}`;

/** A 400 naming the first wrong field, with the next few in the message. */
function invalidDocument(issues: ValidationIssue[]): AppError {
  const [first] = issues;
  const list = issues.slice(0, 5).map((i) => `${i.path || "(document)"} ${i.message}`).join("; ");
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : "";
  return new AppError("VALIDATION_FAILED", `the EPCIS document is not valid against the EPCIS 2.0 JSON Schema: ${list}${more}`, { field: first!.path ? `body.${first!.path}` : "body" });
}

/**
 * Checks the document against the official schema. GS1's own examples name their document
 * `"id": "_:document1"`, a JSON-LD blank node that the schema's `format: uri` refuses (RFC 3986
 * §3.1 wants a scheme): the capture interface accepts such a document id, and only that field
 * is let through; everything else is the schema's verdict.
 */
export function checkDocument(document: unknown): Record<string, unknown>[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new AppError("VALIDATION_FAILED", "body must be an EPCIS 2.0 document (a JSON object with type EPCISDocument)", { field: "body" });
  }
  const doc = document as Record<string, unknown>;
  if (doc["type"] !== "EPCISDocument") {
    throw new AppError("VALIDATION_FAILED", `body.type must be EPCISDocument (EPCIS 2.0 capture takes a document, not ${JSON.stringify(doc["type"])})`, { field: "body.type" });
  }
  // What RFC 8785 cannot write (a lone surrogate in a string, nesting past MAX_JSON_DEPTH) could
  // never be hashed or stored as canonical bytes: named here, not found by a failing insert.
  const notJson = nonJsonAt(doc);
  if (notJson !== undefined) {
    const field = notJson === "/" ? "body" : `body.${pathOf(notJson)}`;
    throw new AppError("VALIDATION_FAILED", `${field} cannot be written as RFC 8785 canonical JSON (a lone UTF-16 surrogate in a string, or nesting deeper than ${MAX_JSON_DEPTH})`, { field });
  }
  const blankNodeId = typeof doc["id"] === "string" && /^_:[A-Za-z0-9_.-]+$/.test(doc["id"]);
  const issues = validateEpcisDocument(blankNodeId ? { ...doc, id: "urn:tracemark:blank-node-document" } : doc);
  if (issues.length > 0) throw invalidDocument(issues);
  const events = eventsOfDocument(doc);
  if (events.length === 0) throw new AppError("VALIDATION_FAILED", "body.epcisBody.eventList must hold at least one event", { field: "body.epcisBody.eventList" });
  if (events.length > MAX_CAPTURE_EVENTS) {
    throw new AppError("PAYLOAD_TOO_LARGE", `body.epcisBody.eventList holds ${events.length} events; a capture takes up to ${MAX_CAPTURE_EVENTS}: split the document`, { field: "body.epcisBody.eventList" });
  }
  return events;
}

const bare = (vocabulary: "bizStep" | "disposition", value: unknown) => (typeof value === "string" ? (cbvTerm(vocabulary, value) ?? value) : null);

/**
 * The events of a valid document, each mapped to its subjects: what the ownership check needs
 * before the capture is answered. Their identity (hash ID, payload bytes) comes from
 * identifyEvents, which a large capture runs chunk by chunk while the previous chunk is written.
 */
export function planEvents(document: Record<string, unknown>, events: Record<string, unknown>[], mapper: SubjectMapper): PlannedEvent[] {
  const context = document["@context"];
  return events.map((event, index) => {
    const objects = objectsOf(event, mapper);
    const subjects = [...new Set(objects.map((o) => o.subject).filter((s): s is string => s !== null))];
    return {
      index,
      source: event,
      context,
      hashId: "",
      declaration: event["errorDeclaration"] !== undefined,
      payload: "",
      contentHash: "",
      eventType: String(event["type"]),
      eventTime: new Date(String(event["eventTime"])),
      action: typeof event["action"] === "string" ? event["action"] : null,
      bizStep: bare("bizStep", event["bizStep"]),
      disposition: bare("disposition", event["disposition"]),
      objects,
      subjects,
      aggregation: aggregationOf(event, objects),
    };
  });
}

/** Fills in each event's CBV 2.0 hash ID and the RFC 8785 bytes it is stored as. */
export function identifyEvents(events: readonly PlannedEvent[]): void {
  for (const event of events) {
    if (event.hashId !== "") continue;
    event.hashId = eventHashId(event.source, { context: event.context });
    // The stored event stands on its own: the document's @context (where its extension prefixes
    // are declared) goes with it, and the hash ID becomes its eventID when it had none. Neither
    // changes the hash ID, which leaves out @context and eventID (CBV 2.0 §8.9).
    const stored: Record<string, unknown> = { ...event.source };
    if (stored["@context"] === undefined && event.context !== undefined) stored["@context"] = event.context;
    if (stored["eventID"] === undefined) stored["eventID"] = event.hashId;
    event.payload = canonicalJson(stored);
    event.contentHash = sha256Hex(event.payload);
  }
}

/** identifyEvents a slice at a time, yielding between slices so that database replies are handled meanwhile. */
export async function identifyEventsInSlices(events: readonly PlannedEvent[], slice = 100): Promise<void> {
  for (let start = 0; start < events.length; start += slice) {
    identifyEvents(events.slice(start, start + slice));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** EPCIS 2.0 §7.4.3: ADD puts childEPCs into parentID, DELETE takes them (all, when none are listed) out. */
function aggregationOf(event: Record<string, unknown>, objects: NamedObject[]): PlannedEvent["aggregation"] {
  if (event["type"] !== "AggregationEvent" || (event["action"] !== "ADD" && event["action"] !== "DELETE")) return null;
  const parent = objects.find((o) => o.field === "parentID")?.subject;
  if (!parent) return null;
  const children = objects.filter((o) => o.field.startsWith("childEPCs[") && o.subject !== null).map((o) => o.subject as string);
  return { action: event["action"], parent, children };
}
