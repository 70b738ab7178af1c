// How far records.seq is *settled*: every record with a seq at or below it is committed (and so
// visible to any snapshot taken from now on) or was rolled back for good. The sealer seals a
// contiguous range of seq and never looks below it again, so it may only seal settled seqs: a
// bigserial value is drawn at insert, but transactions commit in any order, and a record with a
// lower seq can become visible after one with a higher seq.
//
// Why the barrier below is sound (PostgreSQL 15, no change to the insert path):
//   1. A record's seq is drawn by nextval() while its INSERT runs, and every INSERT INTO records
//      holds a RowExclusiveLock on records from before it runs (the lock is taken when the
//      statement is parsed or its cached plan revalidated) to the end of its transaction.
//   2. The sequence does not cache values per session (CACHE 1, migration 004), so last_value,
//      read at moment t, bounds every value handed out before t.
//   3. So: read L = last_value, then list the virtual transaction ids V that hold (or wait for)
//      a RowExclusiveLock on records. Any transaction that drew a seq ≤ L had drawn it before L
//      was read, was still running or already finished when V was listed, and if running is in
//      V. Once no member of V holds a lock any more, every seq ≤ L is settled. Virtual
//      transaction ids are not reused while a server runs, and pg_locks is readable by any role
//      (it shows fast-path locks too).
// Other writers of records (an UPDATE, an erasure) take the same lock and only delay the barrier.
// A transaction that stays open after writing to records (a forgotten psql session) holds it
// back: sealing then waits, which is the price of never skipping a record; `heldBy` names it.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";

export interface SettledSequence {
  /** The highest seq known to be settled (never less than an earlier answer). */
  through(db: Db): Promise<number>;
  /** The pids still holding the pending barrier back, and since when (for a warning); null if none. */
  heldBy(): { pids: number[]; sinceMs: number } | null;
}

interface Checkpoint {
  upTo: number;
  waitingFor: Set<string>;
  pids: number[];
  at: number;
}

export function settledSequence(): SettledSequence {
  let settled = 0;
  let pending: Checkpoint | null = null;

  return {
    async through(db) {
      const last = await lastDrawn(db);
      const writers = await recordWriters(db);
      const running = new Set(writers.map((w) => w.vxid));
      if (pending && ![...pending.waitingFor].some((v) => running.has(v))) {
        settled = Math.max(settled, pending.upTo);
        pending = null;
      }
      if (running.size === 0) {
        settled = Math.max(settled, last);
        pending = null;
      } else if (!pending && last > settled) {
        pending = { upTo: last, waitingFor: running, pids: [...new Set(writers.map((w) => w.pid))], at: Date.now() };
      }
      return settled;
    },
    heldBy() {
      return pending ? { pids: pending.pids, sinceMs: Date.now() - pending.at } : null;
    },
  };
}

/** The sequence's last_value: the highest seq drawn so far (0 before the first). */
async function lastDrawn(db: Db): Promise<number> {
  const { rows } = await sql<{ last: string | number | null }>`
    select pg_sequence_last_value(pg_get_serial_sequence('records', 'seq')::regclass) as last`.execute(db);
  return Number(rows[0]?.last ?? 0);
}

/** Transactions other than this session's that hold or wait for a RowExclusiveLock on records. */
async function recordWriters(db: Db): Promise<{ vxid: string; pid: number }[]> {
  const { rows } = await sql<{ vxid: string; pid: number | null }>`
    select virtualtransaction as vxid, pid
      from pg_locks
     where locktype = 'relation' and relation = 'records'::regclass and mode = 'RowExclusiveLock'
       and database = (select oid from pg_database where datname = current_database())
       and pid is distinct from pg_backend_pid()`.execute(db);
  return rows.map((r) => ({ vxid: r.vxid, pid: Number(r.pid ?? 0) }));
}
