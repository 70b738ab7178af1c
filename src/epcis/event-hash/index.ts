// The CBV 2.0 event hash ID (CBV 2.0 §8.9): SHA-256 of an event's pre-hash string, written as an
// RFC 6920 named-information URI, `ni:///sha-256;<hex>?ver=CBV2.0`. Two serialisations of the
// same event (property order, list order, bare or full vocabulary, EPC URN or Digital Link, time
// zone) have the same ID; any change of content gives another.
import { hash } from "node:crypto";
import { prehashString } from "./prehash.ts";
import type { Namespaces } from "./values.ts";

export { prehashString } from "./prehash.ts";
export { canonicalNumber, canonicalTimestamp, compareCodePoints } from "./values.ts";

/** The version suffix: the algorithm of CBV 2.0 (rule "ver={CBV version}"). */
export const EVENT_HASH_VERSION = "CBV2.0";

/**
 * The prefixes the EPCIS 2.0 JSON-LD context declares
 * (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld): in force in every document.
 */
const EPCIS_CONTEXT_PREFIXES: readonly (readonly [string, string])[] = [
  ["epcis", "https://ref.gs1.org/epcis/"],
  ["cbv", "https://ref.gs1.org/cbv/"],
  ["cbvmda", "urn:epcglobal:cbv:mda:"],
  ["gs1", "https://gs1.org/voc/"],
  ["rdfs", "http://www.w3.org/2000/01/rdf-schema#"],
  ["owl", "http://www.w3.org/2002/07/owl#"],
  ["xsd", "http://www.w3.org/2001/XMLSchema#"],
  ["dcterms", "http://purl.org/dc/terms/"],
];

export interface EventHashOptions {
  /** The `@context` of the document the event came in (the event's own `@context` is added). */
  context?: unknown;
  /** Top-level fields to leave out of the hash, as written (e.g. a repository's own annotations). */
  ignoreFields?: Iterable<string>;
}

const DEFAULT_NAMESPACES: Namespaces = new Map(EPCIS_CONTEXT_PREFIXES);
const namespacesByContext = new WeakMap<object, Namespaces>();

/** The prefixes in force under a JSON-LD `@context` (a URL, an object, or a list of both). */
export function namespacesOf(context: unknown, inherited: Namespaces = DEFAULT_NAMESPACES): Namespaces {
  if (typeof context !== "object" || context === null) return inherited;
  if (inherited === DEFAULT_NAMESPACES) {
    const cached = namespacesByContext.get(context);
    if (cached) return cached;
  }
  const namespaces = new Map(inherited);
  for (const entry of Array.isArray(context) ? context : [context]) {
    if (typeof entry !== "object" || entry === null) continue;
    for (const [prefix, definition] of Object.entries(entry as Record<string, unknown>)) {
      if (prefix.startsWith("@")) continue;
      const iri = typeof definition === "string" ? definition : idOf(definition);
      if (iri !== undefined) namespaces.set(prefix, iri);
    }
  }
  if (inherited === DEFAULT_NAMESPACES) namespacesByContext.set(context, namespaces);
  return namespaces;
}

const idOf = (definition: unknown) => {
  const id = typeof definition === "object" && definition !== null ? (definition as { "@id"?: unknown })["@id"] : undefined;
  return typeof id === "string" ? id : undefined;
};

/** The pre-hash string of one event (see prehash.ts). */
export function eventPrehash(event: Record<string, unknown>, options: EventHashOptions = {}): string {
  let namespaces = namespacesOf(options.context);
  if (event["@context"] !== undefined) namespaces = namespacesOf(event["@context"], namespaces);
  const ignoreFields = options.ignoreFields === undefined ? undefined : new Set(options.ignoreFields);
  return prehashString(event, ignoreFields ? { namespaces, ignoreFields } : { namespaces });
}

/** The event hash ID of a pre-hash string. */
export function hashIdOfPrehash(prehash: string): string {
  return `ni:///sha-256;${hash("sha256", prehash, "hex")}?ver=${EVENT_HASH_VERSION}`;
}

/** The CBV 2.0 event hash ID of one EPCIS 2.0 event in its JSON-LD form. */
export function eventHashId(event: Record<string, unknown>, options: EventHashOptions = {}): string {
  return hashIdOfPrehash(eventPrehash(event, options));
}

/**
 * The events of an EPCIS document (`epcisBody.eventList`) or query document
 * (`epcisBody.queryResults.resultsBody.eventList`), in document order; [] when there are none.
 */
export function eventsOfDocument(document: unknown): Record<string, unknown>[] {
  const body = (document as { epcisBody?: Record<string, unknown> } | null)?.epcisBody;
  const list = body?.eventList ?? (body?.queryResults as { resultsBody?: { eventList?: unknown } } | undefined)?.resultsBody?.eventList;
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** The event hash IDs of every event of an EPCIS (query) document, in document order. */
export function eventHashIdsOfDocument(document: unknown, options: Omit<EventHashOptions, "context"> = {}): string[] {
  const context = (document as { "@context"?: unknown } | null)?.["@context"];
  return eventsOfDocument(document).map((event) => eventHashId(event, { ...options, context }));
}
