// The objects an EPCIS event is about (its "what" dimension, EPCIS 2.0 §7.3.1) and the subjects
// Tracemark records the event on. Pure: no database.
//
// Identifiers come as EPC URIs (urn:epc:id:sgtin:…, urn:epc:class:lgtin:…, urn:epc:idpat:…) or
// GS1 Digital Link URIs on any host; each becomes the canonical Digital Link on PUBLIC_BASE_URL,
// the same URI the product, lot or item has as its subject (DESIGN.md "Subjects and chains"):
// an SGTIN is `{base}/01/{gtin14}/21/{serial}`, an LGTIN class `{base}/01/{gtin14}/10/{lot}`, an
// SGTIN pattern `{base}/01/{gtin14}`, an SSCC (a case or pallet) `{base}/00/{sscc}`.
import { canonicalGs1Uri } from "../../epcis/index.ts";
import { formatDigitalLink } from "../../gs1/index.ts";

/** Fields that name the objects of each event type (EPCIS 2.0 §7.4), instance-level then class-level. */
const INSTANCE_LISTS = ["epcList", "childEPCs", "inputEPCList", "outputEPCList"] as const;
const CLASS_LISTS = ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] as const;

export interface NamedObject {
  /** Where the event names it, relative to the event: `epcList[2]`, `quantityList[0].epcClass`, `parentID`. */
  field: string;
  /** As written in the event. */
  uri: string;
  /** The GS1 key it carries, as AI and value (`01` and the GTIN-14 for an SGTIN), or null for a non-GS1 URI. */
  key: { ai: string; value: string } | null;
  /** The canonical Digital Link on PUBLIC_BASE_URL, or null for a non-GS1 URI. */
  subject: string | null;
}

const CANONICAL_PATH = /^https:\/\/id\.gs1\.org\/([0-9]+)\/([^/]+)(?:\/([0-9]+)\/([^/]+))?$/;

/**
 * Maps identifiers to subjects on one base, remembering each: a capture names the same lots,
 * cases and products again and again, and formatting a Digital Link parses it back (src/gs1).
 */
export class SubjectMapper {
  readonly #base: string;
  readonly #known = new Map<string, { key: NamedObject["key"]; subject: string | null }>();
  readonly #productStems = new Map<string, string>();

  constructor(base: string) {
    this.#base = base;
  }

  map(uri: string): { key: NamedObject["key"]; subject: string | null } {
    let known = this.#known.get(uri);
    if (!known) {
      known = this.#compute(uri);
      if (this.#known.size > 100_000) this.#known.clear();
      this.#known.set(uri, known);
    }
    return known;
  }

  #productStem(gtin14: string): string | null {
    let stem = this.#productStems.get(gtin14);
    if (stem === undefined) {
      try {
        stem = formatDigitalLink({ base: this.#base, primaryKey: { ai: "01", value: gtin14 } });
      } catch {
        return null;
      }
      this.#productStems.set(gtin14, stem);
    }
    return stem;
  }

  #compute(uri: string): { key: NamedObject["key"]; subject: string | null } {
    // CBV 2.0 §8.9's constrained form: id.gs1.org, numeric AIs, GTIN-14, only the finest qualifier.
    const canonical = canonicalGs1Uri(uri);
    const match = canonical === undefined ? null : CANONICAL_PATH.exec(canonical);
    if (!match) return { key: null, subject: null };
    const [, ai, value, qualifierAi, qualifierValue] = match as unknown as [string, string, string, string | undefined, string | undefined];
    const key = { ai, value: decodeURIComponent(value) };
    // The common case at bulk speed: a GTIN with a serial or lot of letters and digits, which URI
    // Syntax 1.6 leaves unencoded, is the product's URI with /21/{serial} or /10/{lot} appended,
    // exactly as formatDigitalLink writes it (src/trace/subjects.ts itemSubjects does the same).
    if (ai === "01" && (qualifierAi === undefined || ((qualifierAi === "21" || qualifierAi === "10") && /^[A-Za-z0-9]{1,20}$/.test(qualifierValue!)))) {
      const stem = this.#productStem(key.value);
      if (stem !== null) return { key, subject: qualifierAi === undefined ? stem : `${stem}/${qualifierAi}/${qualifierValue}` };
    }
    const keyQualifiers = qualifierAi === undefined ? [] : [{ ai: qualifierAi, value: decodeURIComponent(qualifierValue!) }];
    try {
      return { key, subject: formatDigitalLink({ base: this.#base, primaryKey: key, keyQualifiers }) };
    } catch {
      return { key: null, subject: null };
    }
  }
}

/** Every object the event names, in the order of its fields, each with where it is named. */
export function objectsOf(event: Record<string, unknown>, mapper: SubjectMapper): NamedObject[] {
  const named: NamedObject[] = [];
  const add = (field: string, uri: unknown) => {
    if (typeof uri !== "string") return;
    named.push({ field, uri, ...mapper.map(uri) });
  };
  // parentID: the container of an AggregationEvent, or the parent of a Transaction/AssociationEvent.
  add("parentID", event["parentID"]);
  for (const list of INSTANCE_LISTS) {
    const values = event[list];
    if (Array.isArray(values)) values.forEach((uri, i) => add(`${list}[${i}]`, uri));
  }
  for (const list of CLASS_LISTS) {
    const values = event[list];
    if (Array.isArray(values)) values.forEach((q, i) => add(`${list}[${i}].epcClass`, (q as { epcClass?: unknown } | null)?.epcClass));
  }
  return named;
}

/**
 * The digits a GS1 Company Prefix starts (GS1 General Specifications §1.4.4): the key itself,
 * after the indicator digit of a GTIN-14 or ITIP, the extension digit of an SSCC, or the leading
 * zero of a GRAI (§3.2).
 */
export function companyDigitsOf(key: { ai: string; value: string }): string {
  return key.ai === "01" || key.ai === "00" || key.ai === "8006" || key.ai === "8003" ? key.value.slice(1) : key.value;
}

/** The prefixes (4 to 12 digits) a key could fall under; GS1 prefixes never overlap, so at most one is assigned. */
export function candidatePrefixes(key: { ai: string; value: string }): string[] {
  const digits = companyDigitsOf(key);
  const out: string[] = [];
  for (let length = 4; length <= 12 && length <= digits.length; length++) {
    const prefix = digits.slice(0, length);
    if (/^[0-9]+$/.test(prefix)) out.push(prefix);
  }
  return out;
}
