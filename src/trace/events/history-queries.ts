// The reads behind a scanner's history (GET /v1/trace): few queries, each over an index, all in
// one snapshot (trace-view.ts runs them in a REPEATABLE READ transaction).
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import type { RecordRow } from "../../db/records.table.ts";
import type { Tx } from "../domain-write.ts";
import { PREPARED } from "../../db/prepared.ts";

/** A timeline holds at most this many records; the oldest are kept (a history reads from the start). */
export const MAX_TIMELINE = 1_000;
/** Containers inside containers (item → case → pallet → container…) followed this deep. */
const MAX_NESTING = 8;

export interface CatalogueRow {
  gtin: string;
  product_subject: string | null;
  name: string | null;
  brand: string | null;
  category: string | null;
  product_origin: string | null;
  description: string | null;
  merchant_id: string | null;
  merchant_name: string | null;
  lot: string | null;
  lot_subject: string | null;
  production_date: string | null;
  expiry_date: string | null;
  lot_origin: string | null;
  serial: string | null;
  item_subject: string | null;
  pin_protected: boolean | null;
}

/** The product, and the lot and item the URI names (an item's lot comes from its row), with the merchant's name. */
export async function catalogueRow(tx: Tx, gtin: string, lot: string | null, serial: string | null): Promise<CatalogueRow> {
  const { rows } = await sql<CatalogueRow>`
    select k.gtin, p.subject as product_subject, p.name, p.brand, p.category, p.origin as product_origin, p.description,
           p.merchant_id, m.name as merchant_name,
           l.lot, l.subject as lot_subject, to_char(l.production_date, 'YYYY-MM-DD') as production_date,
           to_char(l.expiry_date, 'YYYY-MM-DD') as expiry_date, l.origin as lot_origin,
           i.serial, i.subject as item_subject, i.pin_hmac is not null as pin_protected
      from (select ${gtin}::char(14) as gtin) as k
      left join items i on i.gtin = k.gtin and i.serial = ${serial}::text
      left join lots l on l.gtin = k.gtin and l.lot = coalesce(i.lot, ${lot}::text)
      left join products p on p.gtin = k.gtin
      left join merchants m on m.id = p.merchant_id`.execute(tx);
  return rows[0]!;
}

export interface ContainerPeriod {
  subject: string;
  from: Date;
  until: Date | null;
}

/**
 * The recursive common table expression `c(subject, "from", until, depth)`: the containers
 * `subject` was inside, and when (EPCIS 2.0 §7.4.3 AggregationEvents), directly and through
 * containers of containers, each period cut to where the levels overlap. Shared with the check of
 * when an item left the merchant (src/scans/sold.ts), which must follow containers as the history does.
 */
export const containmentOf = (subject: string) => sql`
    c(subject, "from", until, depth) as (
      select parent, added_at, removed_at, 1 from epcis_containment where child = ${subject}
      union all
      select k.parent, greatest(c."from", k.added_at),
             case when c.until is null then k.removed_at when k.removed_at is null then c.until else least(c.until, k.removed_at) end,
             c.depth + 1
        from epcis_containment k join c on k.child = c.subject
       where c.depth < ${MAX_NESTING} and (c.until is null or k.added_at < c.until) and (k.removed_at is null or k.removed_at > c."from")
    )`;

/** The containers `subject` was inside, and when (containmentOf), in the order it entered them. */
export async function containersOf(tx: Tx, subject: string): Promise<ContainerPeriod[]> {
  const { rows } = await sql<{ subject: string; from: Date; until: Date | null }>`
    with recursive ${containmentOf(subject)}
    select subject, "from", until from c order by "from", subject`.execute(tx);
  return rows;
}

export type TimelineRow = RecordRow & {
  via: string;
  payload: string | null;
  hash_id: string | null;
  declaration: boolean | null;
  event_time: Date | null;
  event_type: string | null;
  biz_step: string | null;
  disposition: string | null;
  declared_erroneous: boolean;
};

/** Whether any record has this subject (records_subject: one index probe). */
export async function hasRecords(tx: Tx, subject: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`select exists (select 1 from records where subject = ${subject}) as found`.execute(tx);
  return rows[0]?.found === true;
}

/**
 * Every record of the `own` subjects (item, lot, product: their whole chains), and the records
 * of EPCIS events on each container made while the subject was inside it (the DELETE that took
 * it out included, which need not name it: EPCIS 2.0 §7.4.3 lets a DELETE list no children);
 * in time order (an event's eventTime, a domain record's acceptance), each with its payload and
 * event. Their batches and proofs come from src/records/proofs.ts.
 */
export async function timelineRows(tx: Tx, own: Array<{ subject: string; via: string }>, containers: ContainerPeriod[]): Promise<TimelineRow[]> {
  const { rows } = await sql<TimelineRow>`
    with picked as (
      select r.id, u.via from unnest(${own.map((o) => o.subject)}::text[], ${own.map((o) => o.via)}::text[]) as u(subject, via)
        join records r on r.subject = u.subject
      union
      select es.record_id, 'container'
        from unnest(${containers.map((c) => c.subject)}::text[], ${containers.map((c) => c.from.toISOString())}::timestamptz[],
                    ${containers.map((c) => c.until?.toISOString() ?? null)}::timestamptz[]) as c(subject, "from", until)
        join epcis_event_subjects es on es.subject = c.subject and es.event_time >= c."from" and (c.until is null or es.event_time <= c.until)
    )
    select r.*, picked.via, p.payload,
           es.hash_id, es.declaration, es.event_time, es.disposition, e.event_type, e.biz_step,
           (es.hash_id is not null and not es.declaration
             and exists (select 1 from epcis_events d where d.hash_id = es.hash_id and d.declaration)) as declared_erroneous
      from picked
      join records r on r.id = picked.id
      left join record_payloads p on p.record_id = r.id
      left join epcis_event_subjects es on es.record_id = r.id
      left join epcis_events e on e.hash_id = es.hash_id and e.declaration = es.declaration
     order by coalesce(es.event_time, r.accepted_at), r.seq
     limit ${MAX_TIMELINE}`.execute(tx);
  return rows;
}

export interface ChainRow {
  subject: string;
  records: number;
  head: string;
  anchored_number: number | null;
  anchored_hash: string | null;
  block_number: string | null;
  tx_hash: string | null;
  /** Batches of the chain's records that may still change state (not final), and whether any record is unsealed. */
  pending_batches: number[];
  unsealed: boolean;
}

/**
 * Each subject's chain: how many records, its head, and the newest record whose batch is anchored
 * (its number in the chain and its block): "complete up to record N, anchored in block B". Also
 * what of the chain can still change without a new record (its batches that are not final, its
 * records not yet sealed): what a cached history must be checked against (fingerprintOf).
 */
export async function chainsOf(tx: Tx, subjects: string[]): Promise<ChainRow[]> {
  const { rows } = await sql<ChainRow>`
    with s as (
      select r.subject, r.seq, r.record_hash, b.batch_seq, b.status, b.block_number, b.tx_hash,
             row_number() over (partition by r.subject order by r.seq) as n,
             count(*) over (partition by r.subject) as records,
             first_value(r.record_hash) over (partition by r.subject order by r.seq desc) as head,
             array_agg(b.batch_seq) filter (where b.status <> 'final') over (partition by r.subject) as pending_batches,
             bool_or(b.status is null) over (partition by r.subject) as unsealed
        from records r
        -- A record's batch (src/records/proofs.ts): named by batch_seq if it was sealed before
        -- migration 004, else the first batch whose records.seq range reaches it.
        left join batches legacy on legacy.seq = r.batch_seq
        left join lateral (select * from batches where r.batch_seq is null and records_to >= r.seq order by records_to limit 1) as ranged
          on ranged.records_from <= r.seq
        cross join lateral (select coalesce(legacy.seq, ranged.seq) as batch_seq, coalesce(legacy.status, ranged.status) as status,
                                   coalesce(legacy.block_number, ranged.block_number) as block_number,
                                   coalesce(legacy.tx_hash, ranged.tx_hash) as tx_hash) as b
       where r.subject = any(${subjects}::text[])
    )
    select distinct on (subject) subject, records::int, head, coalesce(pending_batches, '{}') as pending_batches, unsealed,
           case when status in ('anchored', 'final') then n::int end as anchored_number,
           case when status in ('anchored', 'final') then record_hash end as anchored_hash,
           case when status in ('anchored', 'final') then block_number end as block_number,
           case when status in ('anchored', 'final') then tx_hash end as tx_hash
      from s
     order by subject, (status in ('anchored', 'final')) desc nulls last, seq desc`.execute(tx);
  return rows;
}

export interface DispositionRow {
  subject: string;
  hash_id: string;
  event_time: Date;
  disposition: string;
  payload: string;
}

/**
 * The newest event with a disposition on each subject, leaving out events declared erroneous:
 * whether the subject is recalled now (CBV 2.0 disposition `recalled`) and by which event.
 */
export async function latestDispositions(db: Tx | Db, subjects: string[]): Promise<DispositionRow[]> {
  const { rows } = await sql<DispositionRow>`
    select distinct on (es.subject) es.subject, es.hash_id, es.event_time, es.disposition, p.payload
      from epcis_event_subjects es join record_payloads p on p.record_id = es.record_id
     where es.subject = any(${subjects}::text[]) and es.disposition is not null and not es.declaration
       and not exists (select 1 from epcis_events d where d.hash_id = es.hash_id and d.declaration)
     order by es.subject, es.event_time desc`.execute(db);
  return rows;
}

/** What a cached history depends on besides its catalogue row (trace-view.ts). */
export interface HistoryDependencies {
  /** Every subject whose chain it shows, sorted. */
  subjects: string[];
  /** Batches of those chains that are not final yet, ascending. */
  pendingBatches: number[];
  /** Whether any record of those chains was still unsealed. */
  unsealed: boolean;
}

/**
 * What a history depends on, in one short string: the heads of its subjects (any new record on
 * them — an event, an edit, a recall, a new container, which is an event on the contained item
 * too — changes one); the state of each of its batches that is not final (anchoring, finality, a
 * reorg); and, while one of its records is unsealed, the sealing watermark (sealing puts it in a
 * batch). A history of final records only is checked by its heads alone: index probes of the
 * subjects' primary key. Prepared (src/db/prepared.ts), so planning is not paid per check.
 */
export async function fingerprintOf(db: Tx | Db, deps: HistoryDependencies): Promise<string> {
  const { rows } = await sql<{ heads: string | null; batches: string | null; sealed: string | null }>`${PREPARED}
    select (select string_agg(head_record_hash, '' order by subject) from subjects where subject = any(${deps.subjects}::text[])) as heads,
           (select string_agg(seq::text || status || coalesce(block_hash, ''), ',' order by seq) from batches where seq = any(${deps.pendingBatches}::int[])) as batches,
           (select sealed_through::text from seal_progress where ${deps.unsealed}::boolean) as sealed`.execute(db);
  const row = rows[0]!;
  return `${row.heads ?? ""}|${row.batches ?? ""}|${row.sealed ?? ""}`;
}
