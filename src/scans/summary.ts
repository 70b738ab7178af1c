// What a scan page shows about an item's scans (issue 9): "first checked on …, checked N times on
// M devices", its claim, and the clone warnings. One query reads the flushed counts and the claim;
// the scans still in memory (counter.ts) are laid over them, so the page counts its own view.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
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
}

export interface SummaryOptions {
  now?: Date;
  /** From a history the caller already holds (the scan page); read from the database when left out. */
  shippedOrSoldAt?: Date | null;
}

export async function scanSummary(db: Db, counter: ScanCounter, thresholds: CloneThresholds, subject: string, device: string, options: SummaryOptions = {}): Promise<ScanSummary> {
  const pending = counter.pendingOf(subject) ?? new Map();
  const pendingDevices = [...pending.keys()];
  const [{ rows }, sold] = await Promise.all([
    sql<Row>`
      select min(d.first_at) as first_at, coalesce(sum(d.checks), 0)::text as checks, count(d.device)::int as devices,
             coalesce(array_agg(d.device) filter (where d.device = any(${pendingDevices}::text[])), '{}') as known,
             coalesce(array_agg(d.device) filter (where d.device = any(${pendingDevices}::text[]) and d.last_at > c.claimed_at and d.device <> c.device), '{}') as known_since,
             (count(d.device) filter (where d.last_at > c.claimed_at and d.device <> c.device))::int as others_since,
             c.claimed_at, c.device as claim_device
        from (select ${subject}::text as subject) as k
        left join item_claims c on c.subject = k.subject
        left join scan_devices d on d.subject = k.subject
       group by c.claimed_at, c.device`.execute(db),
    options.shippedOrSoldAt !== undefined ? Promise.resolve(options.shippedOrSoldAt) : shippedOrSoldAt(db, subject),
  ]);
  const row = rows[0]!;
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
  const warnings = cloneWarnings({ now: options.now ?? new Date(), shippedOrSoldAt: sold, devices, claim, otherDevicesSinceClaim: othersSince }, thresholds);
  return {
    firstCheckedAt: first === null ? null : new Date(first).toISOString(),
    checks,
    devices,
    claimedAt: claimedAt?.toISOString() ?? null,
    claimedByThisDevice: claim?.byThisDevice ?? false,
    warnings,
  };
}
