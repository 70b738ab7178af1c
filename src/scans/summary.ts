// What a scan page shows about an item's scans (issue 9): "first checked on …, checked N times on
// M devices", its claim, and the clone warnings. One query reads the flushed counts and the claim;
// the scans still in memory (counter.ts) are laid over them, so the page counts its own view.
import { sql } from "kysely";
import { LRUCache } from "lru-cache";
import type { Db } from "../db/database.ts";
import { parseDigitalLink } from "../gs1/digital-link-parse.ts";
import { cloneWarnings, type CloneThresholds, type CloneWarning } from "./clone-rules.ts";
import type { ScanCounter } from "./counter.ts";
import { shippedOrSoldAt } from "./sold.ts";

export interface ScanSummary {
  /** RFC 3339; null when nobody has checked the item yet. */
  firstCheckedAt: string | null;
  checks: number;
  devices: number;
  claimedAt: string | null;
  claimedByThisDevice: boolean;
  warnings: CloneWarning[];
}

interface Row {
  first_at: Date | null;
  checks: string;
  devices: number;
  /** Of the devices still in memory: those already in the table… */
  known: string[];
  /** …and of those, the ones already counted among others_since. */
  known_since: string[];
  others_since: number;
  claimed_at: Date | null;
  claim_device: string | null;
  /** When an order sold the item (order_items), or null. */
  order_sold_at: Date | null;
}

/** The item's GTIN and serial from its subject (a Digital Link URI), or null for anything else. */
export function itemKeyOf(subject: string): { gtin: string; serial: string } | null {
  try {
    const link = parseDigitalLink(subject, { permitConvenienceAlphas: true, permitZeroSuppressedGtin: true });
    const serial = link.keyQualifiers.find((q) => q.ai === "21")?.value;
    return link.primaryKey.ai === "01" && serial !== undefined ? { gtin: link.primaryKey.value, serial } : null;
  } catch {
    return null;
  }
}

/** The earlier of two moments, either of which may be missing. */
function earliest(a: Date | null, b: Date | null): Date | null {
  if (a === null) return b;
  if (b === null) return a;
  return a.getTime() <= b.getTime() ? a : b;
}

export interface SummaryOptions {
  now?: Date;
  /** From a history the caller already holds (the scan page); read from the database when left out. An order's sale (order_items) counts either way. */
  shippedOrSoldAt?: Date | null;
  /** The database's part shared and kept briefly (the scan page); read for this call alone when left out. */
  rows?: SummaryRows;
}

interface RowRead {
  db: Db;
  subject: string;
  pendingDevices: string[];
}

/**
 * The database's part of item summaries, for a hot code: scans of one item that arrive together
 * share one read, and a read serves later scans until the next flush of this process's counter
 * commits (its key holds the flush count), a claim is made through this process, or `maxAgeMs`
 * passes. So a page counts its own view (the counter's memory is laid over the row at every call),
 * and what other replicas flushed or claimed shows within `maxAgeMs`.
 */
export class SummaryRows {
  readonly #cache: LRUCache<string, Row, RowRead>;
  #claims = 0;

  constructor(maxAgeMs: number, kept = 10_000) {
    this.#cache = new LRUCache<string, Row, RowRead>({ max: kept, ttl: maxAgeMs, fetchMethod: (_key, _stale, { context }) => readRow(context) });
  }

  async read(read: RowRead, flushed: number): Promise<Row> {
    // The unflushed devices are part of the key: which of them the table already knows is in the row.
    const key = `${this.#claims} ${flushed} ${read.subject} ${[...read.pendingDevices].sort().join(",")}`;
    return (await this.#cache.fetch(key, { context: read }))!;
  }

  /** A claim was made through this process: no cached row may hide it. */
  claimed(): void {
    this.#claims++;
  }
}

export async function scanSummary(db: Db, counter: ScanCounter, thresholds: CloneThresholds, subject: string, device: string, options: SummaryOptions = {}): Promise<ScanSummary> {
  // The counts are the database's plus what is not committed yet; a flush that commits while the
  // query runs would count its scans twice, so the read is taken again then (twice at most).
  for (let attempt = 1; ; attempt++) {
    const flushed = counter.flushed;
    const summary = await summaryOnce(db, counter, thresholds, subject, device, options, flushed);
    if (counter.flushed === flushed || attempt === 3) return summary;
  }
}

async function readRow({ db, subject, pendingDevices }: RowRead): Promise<Row> {
  const key = itemKeyOf(subject);
  const { rows } = await sql<Row>`
      select min(d.first_at) as first_at, coalesce(sum(d.checks), 0)::text as checks, count(d.device)::int as devices,
             coalesce(array_agg(d.device) filter (where d.device = any(${pendingDevices}::text[])), '{}') as known,
             coalesce(array_agg(d.device) filter (where d.device = any(${pendingDevices}::text[]) and d.last_at > c.claimed_at and d.device <> c.device), '{}') as known_since,
             (count(d.device) filter (where d.last_at > c.claimed_at and d.device <> c.device))::int as others_since,
             c.claimed_at, c.device as claim_device,
             -- An order's sale (issue 9): one lookup on the unique index order_items_item.
             (select o.sold_at from order_items o where o.gtin = ${key?.gtin ?? null}::char(14) and o.serial = ${key?.serial ?? null}::text) as order_sold_at
        from (select ${subject}::text as subject) as k
        left join item_claims c on c.subject = k.subject
        left join scan_devices d on d.subject = k.subject
       group by c.claimed_at, c.device`.execute(db);
  return rows[0]!;
}

async function summaryOnce(db: Db, counter: ScanCounter, thresholds: CloneThresholds, subject: string, device: string, options: SummaryOptions, flushed: number): Promise<ScanSummary> {
  const pending = counter.pendingOf(subject) ?? new Map();
  const read: RowRead = { db, subject, pendingDevices: [...pending.keys()] };
  const [row, sold] = await Promise.all([
    options.rows ? options.rows.read(read, flushed) : readRow(read),
    options.shippedOrSoldAt !== undefined ? Promise.resolve(options.shippedOrSoldAt) : shippedOrSoldAt(db, subject),
  ]);
  // node-postgres and PGlite read char(32) arrays alike; trim guards against blank-padded text.
  const known = new Set(row.known.map((d) => d.trim()));
  const knownSince = new Set(row.known_since.map((d) => d.trim()));
  const claimDevice = row.claim_device?.trim() ?? null;
  const claimedAt = row.claimed_at === null ? null : new Date(row.claimed_at);

  let first = row.first_at === null ? null : new Date(row.first_at).getTime();
  let checks = Number(row.checks);
  let devices = row.devices;
  let othersSince = row.others_since;
  for (const [d, scans] of pending) {
    checks += scans.checks;
    first = first === null ? scans.first : Math.min(first, scans.first);
    if (!known.has(d)) devices++;
    if (claimedAt && d !== claimDevice && scans.last > claimedAt.getTime() && !knownSince.has(d)) othersSince++;
  }

  const claim = claimedAt ? { claimedAt, byThisDevice: claimDevice === device } : null;
  const soldAt = earliest(sold, row.order_sold_at === null ? null : new Date(row.order_sold_at));
  const warnings = cloneWarnings({ now: options.now ?? new Date(), shippedOrSoldAt: soldAt, devices, claim, otherDevicesSinceClaim: othersSince }, thresholds);
  return {
    firstCheckedAt: first === null ? null : new Date(first).toISOString(),
    checks,
    devices,
    claimedAt: claimedAt?.toISOString() ?? null,
    claimedByThisDevice: claim?.byThisDevice ?? false,
    warnings,
  };
}
