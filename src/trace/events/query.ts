// The EPCIS 2.0 query interface over captured events (EPCIS 2.0 §8.2.7 SimpleEventQuery, REST
// binding `GET /events` and `GET /epcs/{epc}/events`): pages of events in event time order, each
// the event as captured (its stored RFC 8785 bytes) with the recordTime the repository gave it,
// in an EPCISQueryDocument.
//
// Who sees what (README "EPCIS queries"): every captured event is a public record, which
// `GET /v1/trace` already shows to anyone holding the URI of an object it names. The per-object
// query is public in the same way, and for the same reason: it takes one exact identifier, which
// only someone holding the goods (or their code) knows. `GET /epcis/events` is a merchant's view
// of its own repository, with patterns and vocabulary filters that could list objects the caller
// never held: a public version would enumerate every serial number, which Tracemark draws at
// random precisely so that codes cannot be guessed (issue 8). So it needs the merchant's key, and
// answers only the events that merchant captured.
import { sql, type Expression, type SqlBool } from "kysely";
import type { Db } from "../../db/database.ts";
import { SUBJECT_GTIN_SQL } from "../../db/migrations/008_epcis_query.ts";
import type { Tx } from "../domain-write.ts";
import { objectsOf, type SubjectMapper } from "./objects.ts";
import { MATCH_PARAMS, pageToken, type Cursor, type EventQuery, type ObjectMatch } from "./query-params.ts";

export const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/** Whose events: one merchant's (the keyed query), or anyone's (the public per-object query, which always names an object). */
export interface QueryScope {
  merchantId: string | null;
}

interface EventRow {
  hash_id: string;
  declaration: boolean;
  event_time: Date;
  recorded_at: Date;
  payload: string;
}

/** A field-specific filter (MATCH_epc, …) is checked on the event itself; this many index reads at most fill one page. */
const MAX_SCANS = 8;

/** Objects at the instance level have a serial in their GTIN subject, or are not GTINs at all (SSCCs, …). */
const ITEM_SUBJECT = "/01/[0-9]{14}/21/";

function objectCondition(match: ObjectMatch): Expression<SqlBool> {
  const exact = match.subjects.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`s.subject = any(${match.subjects}::text[])`;
  if (match.gtins.length === 0) return sql<SqlBool>`(${exact})`;
  const level = MATCH_PARAMS[match.param].level === "instance" ? sql`s.subject ~ ${ITEM_SUBJECT}` : sql`s.subject !~ ${ITEM_SUBJECT}`;
  return sql<SqlBool>`(${exact} or (${sql.raw(SUBJECT_GTIN_SQL.replace("subject", "s.subject"))} = any(${match.gtins}::text[]) and ${level}))`;
}

/**
 * The rows of one read, after `after`, in page order. Exported so that a test can EXPLAIN it: each
 * filter is an index condition (migration 008, and 006's subject index), never a table scan.
 */
export function eventRows(db: Db | Tx, scope: QueryScope, query: EventQuery, after: Cursor | null, limit: number) {
  let q = db
    .selectFrom("epcis_events as e")
    .select(["e.hash_id", "e.declaration", "e.event_time", "e.recorded_at"])
    .select(sql<string>`(select p.payload from epcis_event_subjects as ps join record_payloads as p on p.record_id = ps.record_id
                          where ps.hash_id = e.hash_id and ps.declaration = e.declaration limit 1)`.as("payload"));
  if (scope.merchantId !== null) q = q.where("e.merchant_id", "=", scope.merchantId);
  if (query.eventTime.ge) q = q.where("e.event_time", ">=", query.eventTime.ge);
  if (query.eventTime.lt) q = q.where("e.event_time", "<", query.eventTime.lt);
  if (query.recordTime.ge) q = q.where("e.recorded_at", ">=", query.recordTime.ge);
  if (query.recordTime.lt) q = q.where("e.recorded_at", "<", query.recordTime.lt);
  if (query.bizSteps) q = q.where("e.biz_step", "in", query.bizSteps);
  if (query.dispositions) q = q.where("e.disposition", "in", query.dispositions);
  for (const match of query.matches) {
    q = q.where(sql<SqlBool>`exists (select 1 from epcis_event_subjects as s where s.hash_id = e.hash_id and s.declaration = e.declaration and ${objectCondition(match)})`);
  }
  if (after) q = q.where(sql<SqlBool>`(e.event_time, e.hash_id, e.declaration) > (${after.eventTime}::timestamptz, ${after.hashId}, ${after.declaration})`);
  return q.orderBy("e.event_time").orderBy("e.hash_id").orderBy("e.declaration").limit(limit);
}

/** Whether the event names a matching object in one of the fields the filter looks at (MATCH_epc: epcList and childEPCs only, …). */
function namesInFields(event: Record<string, unknown>, match: ObjectMatch, mapper: SubjectMapper): boolean {
  const fields = MATCH_PARAMS[match.param].fields as readonly string[] | null;
  if (fields === null) return true;
  const subjects = new Set(match.subjects);
  const gtins = new Set(match.gtins);
  return objectsOf(event, mapper).some((o) => {
    if (!fields.includes(o.field.replace(/\[.*$/, ""))) return false;
    if (o.subject === null) return false;
    if (subjects.has(o.subject)) return true;
    const gtin = /\/01\/([0-9]{14})(\/|$)/.exec(o.subject);
    return gtin !== null && gtins.has(gtin[1]!) && new RegExp(ITEM_SUBJECT).test(o.subject) === (MATCH_PARAMS[match.param].level === "instance");
  });
}

export interface EventPage {
  events: Array<Record<string, unknown>>;
  /** The nextPageToken of the page after this one, or null on the last page. */
  next: string | null;
}

/**
 * One page. A filter that looks at particular fields (MATCH_epc, MATCH_parentID, MATCH_epcClass)
 * is narrowed by the index to events naming the object anywhere, then checked on the event; when
 * MAX_SCANS reads do not fill the page, it ends early with a token to go on from (a client follows
 * Link: rel="next" until there is none, EPCIS 2.0 §12).
 */
export async function queryEvents(db: Db, scope: QueryScope, query: EventQuery, mapper: SubjectMapper): Promise<EventPage> {
  const precise = query.matches.some((m) => MATCH_PARAMS[m.param].fields !== null);
  const events: EventPage["events"] = [];
  let after = query.after;
  for (let scan = 0; scan < MAX_SCANS; scan++) {
    const rows = (await eventRows(db, scope, query, after, query.perPage + 1).execute()) as EventRow[];
    for (const row of rows) {
      const event = JSON.parse(row.payload) as Record<string, unknown>;
      if (precise && !query.matches.every((m) => namesInFields(event, m, mapper))) {
        after = cursorOf(row);
        continue;
      }
      if (events.length === query.perPage) return { events, next: pageToken(after!, query.fingerprint) };
      // EPCIS 2.0 §7.4.1: recordTime is when the repository recorded the event; it is not part of
      // what was notarized (the stored bytes, shown with their receipts by GET /v1/trace).
      events.push({ ...event, recordTime: new Date(row.recorded_at).toISOString() });
      after = cursorOf(row);
    }
    if (rows.length <= query.perPage) return { events, next: null };
  }
  return { events, next: pageToken(after!, query.fingerprint) };
}

const cursorOf = (row: EventRow): Cursor => ({ eventTime: new Date(row.event_time), hashId: row.hash_id, declaration: row.declaration });

/** EPCIS 2.0 §9.2 (JSON-LD): the query results as an EPCISQueryDocument. */
export function queryDocument(events: EventPage["events"]) {
  return {
    "@context": [EPCIS_CONTEXT],
    type: "EPCISQueryDocument",
    schemaVersion: "2.0",
    creationDate: new Date().toISOString(),
    epcisBody: { queryResults: { queryName: "SimpleEventQuery", resultsBody: { eventList: events } } },
  };
}
