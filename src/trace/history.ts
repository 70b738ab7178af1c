// A domain row's history: the records of its subject, oldest first, each with its status.
import type { Db } from "../db/database.ts";
import { batchesOf } from "../records/proofs.ts";
import type { RecordStatus } from "../records/receipts.ts";

export interface HistoryEntry {
  id: string;
  kind: string;
  recordHash: string;
  prev: string | null;
  status: RecordStatus;
  acceptedAt: string;
}

/** At most this many records per history; the newest are kept, as a page shows them. */
export const MAX_HISTORY = 1_000;

export async function historyOf(db: Db, subject: string): Promise<HistoryEntry[]> {
  const rows = await db.selectFrom("records").selectAll().where("subject", "=", subject).orderBy("seq", "desc").limit(MAX_HISTORY).execute();
  // A record's batch is found by its seq range (src/records/proofs.ts), not a column of its own.
  const batches = await batchesOf(db, rows);
  return rows.reverse().map((r) => ({
    id: r.id,
    kind: r.kind,
    recordHash: r.record_hash,
    prev: (JSON.parse(r.envelope) as { prev: string | null }).prev,
    status: batches.get(r.id)?.status ?? "accepted",
    acceptedAt: new Date(r.accepted_at).toISOString(),
  }));
}
