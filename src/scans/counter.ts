// Scan counting without a database write per page view (issue 9): recordScan() only adds to a
// map in memory; a timer writes what gathered every SCAN_FLUSH_MS (at most 1 s) in one upsert,
// and close() writes the rest. What a crash can lose: the scans of the last flush interval (at
// most SCAN_FLUSH_MS, 0.5 s by default) of this process, and the scans of a flush whose
// transaction failed and was still waiting for the next attempt. Nothing else: a flushed scan is
// committed, and a failed flush puts its counts back to be written with the next one.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";

export interface DeviceScans {
  first: number;
  last: number;
  checks: number;
}

/** Subject and device pairs held in memory before a flush is started early. */
const MAX_PENDING = 50_000;

export interface ScanCounterOptions {
  flushMs: number;
  onFlushError?: (error: unknown) => void;
}

export class ScanCounter {
  readonly #db: Db;
  readonly #options: ScanCounterOptions;
  #pending = new Map<string, Map<string, DeviceScans>>();
  #pairs = 0;
  #flushing: Promise<void> | null = null;
  /** The batch being written: still counted by readers until its transaction has committed. */
  #inFlight: Map<string, Map<string, DeviceScans>> | null = null;
  #flushed = 0;
  #timer: NodeJS.Timeout | null;

  constructor(db: Db, options: ScanCounterOptions) {
    this.#db = db;
    this.#options = options;
    this.#timer = setInterval(() => void this.flush(), options.flushMs);
    this.#timer.unref();
  }

  /** Counts one scan of `subject` by `device`: synchronous, in memory only. */
  record(subject: string, device: string, at: number = Date.now()): void {
    let devices = this.#pending.get(subject);
    if (!devices) this.#pending.set(subject, (devices = new Map()));
    const seen = devices.get(device);
    if (seen) {
      seen.checks++;
      if (at > seen.last) seen.last = at;
      if (at < seen.first) seen.first = at;
    } else {
      devices.set(device, { first: at, last: at, checks: 1 });
      if (++this.#pairs >= MAX_PENDING) void this.flush();
    }
  }

  /**
   * The scans of `subject` not committed yet, by device: those gathering and those of a flush under
   * way (which would otherwise be in neither memory nor the database while its statement runs).
   */
  pendingOf(subject: string): ReadonlyMap<string, DeviceScans> | undefined {
    const gathering = this.#pending.get(subject);
    const writing = this.#inFlight?.get(subject);
    if (!writing) return gathering;
    const merged = new Map<string, DeviceScans>();
    for (const from of [writing, gathering ?? new Map<string, DeviceScans>()]) {
      for (const [device, s] of from) {
        const seen = merged.get(device);
        merged.set(device, seen ? { first: Math.min(seen.first, s.first), last: Math.max(seen.last, s.last), checks: seen.checks + s.checks } : { ...s });
      }
    }
    return merged;
  }

  /** How many flushes have committed: a reader that saw it change while it read reads again. */
  get flushed(): number {
    return this.#flushed;
  }

  /** Writes what gathered; one flush at a time (a call during one waits for it, then flushes again). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    if (this.#pairs === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#pairs = 0;
    this.#inFlight = batch;
    this.#flushing = this.#write(batch).finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  /** Stops the timer and writes the rest. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  async #write(batch: Map<string, Map<string, DeviceScans>>): Promise<void> {
    const subjects: string[] = [];
    const devices: string[] = [];
    const firsts: string[] = [];
    const lasts: string[] = [];
    const checks: number[] = [];
    for (const [subject, bySubject] of batch) {
      for (const [device, s] of bySubject) {
        subjects.push(subject);
        devices.push(device);
        firsts.push(new Date(s.first).toISOString());
        lasts.push(new Date(s.last).toISOString());
        checks.push(s.checks);
      }
    }
    try {
      // One statement; sorted by key so that two replicas flushing the same rows lock them in one order.
      await sql`
        insert into scan_devices (subject, device, first_at, last_at, checks)
        select * from unnest(${subjects}::text[], ${devices}::text[], ${firsts}::timestamptz[], ${lasts}::timestamptz[], ${checks}::bigint[])
         order by 1, 2
        on conflict (subject, device) do update
          set first_at = least(scan_devices.first_at, excluded.first_at),
              last_at = greatest(scan_devices.last_at, excluded.last_at),
              checks = scan_devices.checks + excluded.checks`.execute(this.#db);
      // Committed: from here readers find these counts in the database, not in memory.
      this.#inFlight = null;
      this.#flushed++;
    } catch (error) {
      this.#inFlight = null;
      // Put the counts back: the next flush writes them with whatever came since.
      for (const [subject, bySubject] of batch) for (const [device, s] of bySubject) this.#merge(subject, device, s);
      this.#options.onFlushError?.(error);
    }
  }

  #merge(subject: string, device: string, s: DeviceScans): void {
    let devices = this.#pending.get(subject);
    if (!devices) this.#pending.set(subject, (devices = new Map()));
    const seen = devices.get(device);
    if (!seen) {
      devices.set(device, { ...s });
      this.#pairs++;
      return;
    }
    seen.checks += s.checks;
    seen.first = Math.min(seen.first, s.first);
    seen.last = Math.max(seen.last, s.last);
  }
}
