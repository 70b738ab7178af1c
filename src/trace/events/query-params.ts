// The query parameters of the EPCIS 2.0 REST binding's event queries (EPCIS 2.0 §8.2.7.1, the
// SimpleEventQuery parameters, as query string parameters of `GET /events`; §12 OpenAPI), turned
// into an EventQuery or a 400 naming the parameter. Pure: no database.
//
// Taken: perPage, nextPageToken, GE_/LT_eventTime, GE_/LT_recordTime, EQ_bizStep, EQ_disposition,
// and the object filters MATCH_epc, MATCH_parentID, MATCH_anyEPC, MATCH_epcClass, MATCH_anyEPCClass.
// Every one of them is answered from an index (migration 008). Any other parameter is refused, as
// the standard's QueryParameterException does: a filter silently ignored would answer a question
// that was not asked.
//
// A parameter's values are separated by `|` (or the parameter is repeated); all parameters must
// hold at once, any value of one parameter will do (§8.2.7.1).
import { createHash } from "node:crypto";
import { canonicalGs1Uri, cbvTerm } from "../../epcis/index.ts";
import { AppError } from "../../errors.ts";
import type { SubjectMapper } from "./objects.ts";

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1_000;
/** Values of one parameter, at most (each is an index probe). */
export const MAX_VALUES = 100;

/** The object filters, which fields of an event each looks at (§8.2.7.1), and at which level: instances (EPCs) or classes. */
export const MATCH_PARAMS = {
  MATCH_epc: { fields: ["epcList", "childEPCs"], level: "instance" },
  MATCH_parentID: { fields: ["parentID"], level: "instance" },
  MATCH_anyEPC: { fields: null, level: "instance" },
  MATCH_epcClass: { fields: ["quantityList", "childQuantityList"], level: "class" },
  MATCH_anyEPCClass: { fields: null, level: "class" },
} as const;
export type MatchParam = keyof typeof MATCH_PARAMS;

const TIME_PARAMS = ["GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"] as const;
export const QUERY_PARAMS = ["perPage", "nextPageToken", ...TIME_PARAMS, "EQ_bizStep", "EQ_disposition", ...Object.keys(MATCH_PARAMS)] as const;

export interface ObjectMatch {
  param: MatchParam;
  /** The request field, for the 400s found later (a path parameter names itself). */
  field: string;
  /** Exact objects, as the canonical Digital Link subjects events are recorded on. */
  subjects: string[];
  /** GTIN-14s of EPC patterns (urn:epc:idpat:sgtin:{prefix}.{item ref}.*): anything of that GTIN at the param's level. */
  gtins: string[];
}

export interface Cursor {
  eventTime: Date;
  hashId: string;
  declaration: boolean;
}

export interface EventQuery {
  perPage: number;
  after: Cursor | null;
  eventTime: { ge: Date | null; lt: Date | null };
  recordTime: { ge: Date | null; lt: Date | null };
  /** Bare CBV terms or user vocabulary URIs, as capture stores them (src/trace/events/plan.ts). */
  bizSteps: string[] | null;
  dispositions: string[] | null;
  matches: ObjectMatch[];
  /** Identifies the filters (not the page): a nextPageToken is good only for the query it came from. */
  fingerprint: string;
}

type Raw = Record<string, unknown>;
const field = (name: string) => `query.${name}`;
const bad = (name: string, message: string) => new AppError("VALIDATION_FAILED", `${field(name)} ${message}`, { field: field(name) });

function valuesOf(raw: Raw, name: string): string[] | null {
  const given = raw[name];
  if (given === undefined) return null;
  const list = (Array.isArray(given) ? given : [given]).flatMap((v) => String(v).split("|"));
  if (list.some((v) => v === "")) throw bad(name, "has an empty value (values are separated by |)");
  if (list.length > MAX_VALUES) throw bad(name, `has ${list.length} values; at most ${MAX_VALUES}`);
  return list;
}

function single(raw: Raw, name: string): string | null {
  const values = valuesOf(raw, name);
  if (values === null) return null;
  if (values.length !== 1 || Array.isArray(raw[name])) throw bad(name, "takes one value");
  return values[0]!;
}

/** EPCIS 2.0 §7.3.1 times are RFC 3339 date-times with a zone offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/i;

function time(raw: Raw, name: string): Date | null {
  const value = single(raw, name);
  if (value === null) return null;
  const at = new Date(value);
  if (!DATE_TIME.test(value) || Number.isNaN(at.getTime())) throw bad(name, `must be an RFC 3339 date-time with a zone offset (2026-11-02T09:30:00+08:00), not ${JSON.stringify(value.slice(0, 60))}`);
  return at;
}

/** A CBV 2.0 term in any of its forms (bare, Web URI, CBV 1.x URN) as its bare term; a user vocabulary value must be an absolute URI. */
function vocabulary(raw: Raw, name: "EQ_bizStep" | "EQ_disposition", vocab: "bizStep" | "disposition"): string[] | null {
  const values = valuesOf(raw, name);
  if (values === null) return null;
  return values.map((value) => {
    const term = cbvTerm(vocab, value);
    if (term !== undefined) return term;
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) return value;
    throw bad(name, `${JSON.stringify(value.slice(0, 60))} is neither a CBV 2.0 ${vocab} nor a URI of your own vocabulary`);
  });
}

const INSTANCE_PATH = /^https:\/\/id\.gs1\.org\/(?:01\/[0-9]{14}\/21\/|(?!01\/))/;

/**
 * One object filter's values: an EPC URI, EPC class URI or GS1 Digital Link (any host) names one
 * object exactly; an SGTIN pattern with a fixed GTIN (`urn:epc:idpat:sgtin:0614141.107346.*`) names
 * every item of the GTIN (instance filters) or the product and every lot of it (class filters), as
 * EPCIS 2.0 §8.2.7.1.1 matches class-level identifiers against patterns.
 */
export function objectMatch(param: MatchParam, fieldName: string, values: readonly string[], mapper: SubjectMapper): ObjectMatch {
  const { level } = MATCH_PARAMS[param];
  const match: ObjectMatch = { param, field: fieldName, subjects: [], gtins: [] };
  const refuse = (value: string, why: string) => new AppError("VALIDATION_FAILED", `${fieldName} ${JSON.stringify(value.slice(0, 100))} ${why}`, { field: fieldName });
  for (const value of values) {
    const canonical = canonicalGs1Uri(value);
    if (canonical === undefined) {
      throw refuse(value, value.startsWith("urn:epc:idpat:")
        ? "is an EPC pattern this service does not take: only SGTIN patterns that fix the GTIN (urn:epc:idpat:sgtin:{company prefix}.{item reference}.*)"
        : "is not a GS1 identifier (an EPC URI, EPC class URI or GS1 Digital Link URI)");
    }
    if (value.startsWith("urn:epc:idpat:")) {
      const gtin = /^https:\/\/id\.gs1\.org\/01\/([0-9]{14})$/.exec(canonical)?.[1];
      if (!value.startsWith("urn:epc:idpat:sgtin:") || !value.endsWith(".*") || gtin === undefined) {
        throw refuse(value, "is an EPC pattern this service does not take: only SGTIN patterns that fix the GTIN (urn:epc:idpat:sgtin:{company prefix}.{item reference}.*)");
      }
      match.gtins.push(gtin);
      continue;
    }
    const isInstance = INSTANCE_PATH.test(canonical);
    if (isInstance !== (level === "instance")) {
      throw refuse(value, isInstance ? "names one object (an instance), not a class: use MATCH_epc or MATCH_anyEPC" : "names a class (a product or a lot), not one object: use MATCH_epcClass or MATCH_anyEPCClass");
    }
    const { subject } = mapper.map(value);
    if (subject === null) throw refuse(value, "is not a GS1 identifier this service can name");
    match.subjects.push(subject);
  }
  return match;
}

/** Parses the query string of `GET /epcis/events` (and the filters of `GET /epcis/epcs/{epc}/events`). */
export function parseEventQuery(raw: Raw, mapper: SubjectMapper, fixed: ObjectMatch[] = []): EventQuery {
  for (const name of Object.keys(raw)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(name)) {
      throw bad(name, `is not a query parameter of this service (it takes ${QUERY_PARAMS.join(", ")})`);
    }
  }
  const perPageText = single(raw, "perPage");
  const perPage = perPageText === null ? DEFAULT_PER_PAGE : Number(perPageText);
  if (!/^[0-9]{1,5}$/.test(perPageText ?? "1") || perPage < 1 || perPage > MAX_PER_PAGE) throw bad("perPage", `must be a whole number from 1 to ${MAX_PER_PAGE}`);
  const range = (ge: string, lt: string) => {
    const r = { ge: time(raw, ge), lt: time(raw, lt) };
    if (r.ge && r.lt && r.ge >= r.lt) throw bad(lt, `must be later than ${ge}`);
    return r;
  };
  const query: Omit<EventQuery, "after" | "fingerprint"> = {
    perPage,
    eventTime: range("GE_eventTime", "LT_eventTime"),
    recordTime: range("GE_recordTime", "LT_recordTime"),
    bizSteps: vocabulary(raw, "EQ_bizStep", "bizStep"),
    dispositions: vocabulary(raw, "EQ_disposition", "disposition"),
    matches: [...fixed],
  };
  for (const param of Object.keys(MATCH_PARAMS) as MatchParam[]) {
    const values = valuesOf(raw, param);
    if (values !== null) query.matches.push(objectMatch(param, field(param), values, mapper));
  }
  const fingerprint = createHash("sha256").update(JSON.stringify({ ...query, perPage: undefined })).digest("base64url").slice(0, 16);
  const token = single(raw, "nextPageToken");
  return { ...query, after: token === null ? null : readToken(token, fingerprint), fingerprint };
}

/**
 * nextPageToken: where the previous page ended (event time, hash ID, declaration: the order pages
 * are read in) and which query it belongs to. Keyset pagination, so a token never expires and a
 * page never repeats or skips an event because others were captured meanwhile.
 */
export function pageToken(cursor: Cursor, fingerprint: string): string {
  return Buffer.from(JSON.stringify([cursor.eventTime.toISOString(), cursor.hashId, cursor.declaration, fingerprint])).toString("base64url");
}

function readToken(token: string, fingerprint: string): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string" || typeof parsed[2] !== "boolean" || Number.isNaN(new Date(parsed[0]).getTime())) {
    throw bad("nextPageToken", "is not a token this service handed out (take it from the Link header of the previous page)");
  }
  if (parsed[3] !== fingerprint) throw bad("nextPageToken", "belongs to a query with other filters: send the same filters as the page it came from");
  return { eventTime: new Date(parsed[0]), hashId: parsed[1], declaration: parsed[2] };
}

/**
 * The object of `GET /epcis/epcs/{epc}/events`: exactly one EPC or EPC class (never a pattern: the
 * path is public, and a pattern would list every serial of a GTIN), matched in any field of its level.
 */
export function epcPathMatch(epc: string, mapper: SubjectMapper): ObjectMatch {
  const fieldName = "params.epc";
  if (epc.startsWith("urn:epc:idpat:")) {
    throw new AppError("VALIDATION_FAILED", `${fieldName} is an EPC pattern; this path names one object (an EPC URI, EPC class URI or GS1 Digital Link URI, percent-encoded)`, { field: fieldName });
  }
  const canonical = canonicalGs1Uri(epc);
  const param: MatchParam = canonical !== undefined && !INSTANCE_PATH.test(canonical) ? "MATCH_anyEPCClass" : "MATCH_anyEPC";
  return objectMatch(param, fieldName, [epc], mapper);
}
