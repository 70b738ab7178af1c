// Writes captured events, a chunk per transaction: the event index rows, one public record per
// event on each subject the event names, their payloads, and the containment an AggregationEvent
// changes.
//
// Why a record on EACH subject, rather than one record on an event subject plus an index: DESIGN.md
// "Subjects and chains" makes a subject's records one linear chain, so that a page can say
// "complete up to record N". An item's events are then links of the item's own chain: a scanner's
// page can show that nothing was left out between two of them, which an index row (not hashed,
// not anchored) could never prove. The records of one event share its contentHash (the event's
// RFC 8785 bytes), which ties them together. Events about a container (a case or pallet SSCC) are
// on the container's chain, and the items inside reach them through epcis_containment for the
// period they were inside; events about a lot or product class (quantityList, recalls) are on the
// lot's or product's chain, which every item's history also shows. So an event is written once
// per object it names, never once per item it concerns: a pallet event stays one record.
//
// Bulk: every statement takes whole columns as arrays (unnest), subjects are locked in sorted
// order (no deadlock between captures sharing subjects), and `prev` is computed here, in order,
// from the locked heads, so a chunk of 1,000 events is about seven round trips.
import { randomBytes, randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Principal } from "../../auth/api-keys.ts";
import { AppError } from "../../errors.ts";
import { canonicalJson, leafHashBytes, sha256Hex, type Envelope } from "../../merkle/index.ts";
import { insertRecords, type NewAcceptedRecord } from "../../records/repository.ts";
import { ownerOf, submitterOf } from "../../records/submitter.ts";
import type { Tx } from "../domain-write.ts";
import { eventField, type PlannedEvent } from "./plan.ts";

/** The record kind of an EPCIS event; its payload is the event's RFC 8785 bytes. */
export const EPCIS_EVENT_KIND = "epcis.event";

export interface ChunkResult {
  stored: number;
  duplicates: number;
}

const identity = (e: { hashId: string; declaration: boolean }) => `${e.declaration ? "d" : "e"}${e.hashId}`;

export async function writeEventChunk(tx: Tx, principal: Principal, captureId: string, events: readonly PlannedEvent[]): Promise<ChunkResult> {
  const merchantId = principal.merchantId as string;
  // A second copy of an event in the same document is a duplicate like any other.
  const byIdentity = new Map<string, PlannedEvent>();
  for (const event of events) if (!byIdentity.has(identity(event))) byIdentity.set(identity(event), event);
  // Inserted in identity order: two captures sharing events take the key locks in one order.
  const unique = [...byIdentity.values()].sort((a, b) => (identity(a) < identity(b) ? -1 : 1));
  const col = <T>(f: (e: PlannedEvent) => T) => unique.map(f);
  const inserted = await sql<{ hash_id: string; declaration: boolean }>`
    insert into epcis_events (hash_id, declaration, merchant_id, capture_id, event_type, event_time, action, biz_step, disposition)
    select hash_id, declaration, ${merchantId}::uuid, ${captureId}::uuid, event_type, event_time, action, biz_step, disposition
      from unnest(${col((e) => e.hashId)}::text[], ${col((e) => e.declaration)}::boolean[], ${col((e) => e.eventType)}::text[],
                  ${col((e) => e.eventTime.toISOString())}::timestamptz[], ${col((e) => e.action)}::text[], ${col((e) => e.bizStep)}::text[],
                  ${col((e) => e.disposition)}::text[])
           as u(hash_id, declaration, event_type, event_time, action, biz_step, disposition)
    on conflict (hash_id, declaration) do nothing
    returning hash_id, declaration`.execute(tx);
  const isNew = new Set(inserted.rows.map((r) => identity({ hashId: r.hash_id, declaration: r.declaration })));
  // Back in document order: records on one subject follow the document.
  const fresh = events.filter((e) => isNew.delete(identity(e)));
  if (fresh.length === 0) return { stored: 0, duplicates: events.length };

  const heads = await lockHeads(tx, principal, fresh);
  const { rows, payloads, links } = buildRecords(principal, fresh, heads);
  const foreign = await insertRecords(tx, ownerOf(principal), rows);
  if (foreign.length > 0) throw foreignSubject(fresh, foreign[0]!);

  await sql`
    insert into record_payloads (record_id, payload)
    select * from unnest(${rows.map((r) => r.id)}::uuid[], ${payloads}::text[])`.execute(tx);
  await sql`
    insert into epcis_event_subjects (record_id, subject, hash_id, declaration, event_time, disposition)
    select * from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.subject)}::text[], ${links.map((l) => l.event.hashId)}::text[],
                         ${links.map((l) => l.event.declaration)}::boolean[], ${links.map((l) => l.event.eventTime.toISOString())}::timestamptz[],
                         ${links.map((l) => l.event.disposition)}::text[])`.execute(tx);
  await applyContainment(tx, fresh);
  return { stored: fresh.length, duplicates: events.length - fresh.length };
}

/**
 * Locks the rows of the subjects these events are recorded on and returns their heads; a subject
 * someone else holds is a 409 naming the event that names it.
 *
 * A subject nobody has written to has no row to lock, and two captures naming the same new item
 * would both chain their first record to nothing (a fork). So the new ones are claimed first, in
 * sorted order, with a placeholder head that insertRecords replaces in this transaction: a second
 * capture's claim waits on the first's row until it commits, finds it taken, and then locks it
 * like any existing subject and reads the real head. Existing subjects are locked in sorted
 * order too, so captures sharing subjects queue up instead of deadlocking.
 */
async function lockHeads(tx: Tx, principal: Principal, events: readonly PlannedEvent[]): Promise<Map<string, string>> {
  const subjects = [...new Set(events.flatMap((e) => e.subjects))].sort();
  const claimed = await sql<{ subject: string }>`
    insert into subjects (subject, owner_merchant_id, owner_key_id, head_record_hash)
    select subject, ${principal.merchantId}::uuid, null, ${PLACEHOLDER_HEAD}
      from unnest(${subjects}::text[]) with ordinality as u(subject, n) order by n
    on conflict (subject) do nothing
    returning subject`.execute(tx);
  const isNew = new Set(claimed.rows.map((r) => r.subject));
  const existing = subjects.filter((s) => !isNew.has(s));
  const heads = new Map<string, string>();
  if (existing.length === 0) return heads;
  const locked = await sql<{ subject: string; owner_merchant_id: string | null; head_record_hash: string }>`
    select subject, owner_merchant_id, head_record_hash from subjects where subject = any(${existing}::text[]) order by subject for update`.execute(tx);
  for (const row of locked.rows) {
    if (row.owner_merchant_id !== principal.merchantId) throw foreignSubject(events, row.subject);
    heads.set(row.subject, row.head_record_hash);
  }
  return heads;
}

/** The head of a subject claimed in this transaction until its first record is inserted (never committed). */
const PLACEHOLDER_HEAD = "0".repeat(64);

function foreignSubject(events: readonly PlannedEvent[], subject: string): AppError {
  const event = events.find((e) => e.subjects.includes(subject))!;
  const field = eventField(event.index, event.objects.find((o) => o.subject === subject)!.field);
  return new AppError("CONFLICT", `${field}: the subject ${subject} already holds records of another submitter`, { field });
}

/** The records of the events, chained per subject from the locked heads in document order. */
function buildRecords(principal: Principal, events: readonly PlannedEvent[], heads: Map<string, string>) {
  const submittedAt = new Date().toISOString();
  const submitter = submitterOf(principal);
  const count = events.reduce((n, e) => n + e.subjects.length, 0);
  const salts = randomBytes(32 * count);
  const rows: NewAcceptedRecord[] = [];
  const payloads: string[] = [];
  const links: Array<{ event: PlannedEvent }> = [];
  for (const event of events) {
    for (const subject of event.subjects) {
      const envelope: Envelope = {
        v: 1,
        kind: EPCIS_EVENT_KIND,
        subject,
        // DESIGN.md: for a JSON payload, SHA-256 of its RFC 8785 canonical form.
        contentHash: event.contentHash,
        mediaType: "application/ld+json",
        submitter,
        submittedAt,
        prev: heads.get(subject) ?? null,
      };
      const envelopeText = canonicalJson(envelope);
      const recordHash = sha256Hex(envelopeText);
      heads.set(subject, recordHash);
      const salt = salts.subarray(32 * rows.length, 32 * rows.length + 32);
      rows.push({
        id: randomUUID(),
        kind: EPCIS_EVENT_KIND,
        subject,
        envelope: envelopeText,
        record_hash: recordHash,
        salt: salt.toString("hex"),
        // RFC 9162 leaf: SHA-256(0x00 || salt || recordHash), DESIGN.md "Records and hashing".
        leaf_hash: leafHashBytes(salt, Buffer.from(recordHash, "hex")).toString("hex"),
        submitter_key_id: principal.keyId,
        merchant_id: principal.merchantId,
      });
      payloads.push(event.payload);
      links.push({ event });
    }
  }
  return { rows, payloads, links };
}

/**
 * EPCIS 2.0 §7.4.3: an ADD puts the children into the parent from the event's time, a DELETE
 * takes them out (all of them when it lists none). Runs of ADDs go in as one statement. An error
 * declaration changes no containment: the history marks the declared event instead.
 */
async function applyContainment(tx: Tx, events: readonly PlannedEvent[]): Promise<void> {
  let adds: Array<{ parent: string; child: string; at: string; by: string }> = [];
  const flush = async () => {
    if (adds.length === 0) return;
    await sql`
      insert into epcis_containment (parent, child, added_at, added_by)
      select * from unnest(${adds.map((a) => a.parent)}::text[], ${adds.map((a) => a.child)}::text[], ${adds.map((a) => a.at)}::timestamptz[], ${adds.map((a) => a.by)}::text[])`.execute(tx);
    adds = [];
  };
  for (const event of events) {
    const aggregation = event.aggregation;
    if (!aggregation || event.declaration) continue;
    const at = event.eventTime.toISOString();
    if (aggregation.action === "ADD") {
      for (const child of aggregation.children) adds.push({ parent: aggregation.parent, child, at, by: event.hashId });
      continue;
    }
    await flush();
    await sql`
      update epcis_containment set removed_at = ${at}::timestamptz, removed_by = ${event.hashId}
       where parent = ${aggregation.parent} and removed_at is null and added_at <= ${at}::timestamptz
         and (${aggregation.children.length === 0} or child = any(${aggregation.children}::text[]))`.execute(tx);
  }
  await flush();
}
