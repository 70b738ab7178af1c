// Retention (issue 10 item 6): transaction evidence is kept at least EVIDENCE_RETENTION_DAYS
// (default 1095, three years: China's E-Commerce Law Art. 31), counted from an order's newest
// record. Past that, the purge deletes the order's domain rows, its records' payloads and every
// disclosure: the record rows (envelopes and hashes, no content) stay, so receipts keep verifying
// and the existence of the evidence stays provable. An order with any record inside the period
// is not touched at all.
import type { Db } from "../../db/database.ts";

export interface PurgeResult {
  orders: number;
  records: number;
}

export async function purgeExpiredEvidence(db: Db, retentionDays: number, now: Date = new Date()): Promise<PurgeResult> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  return db.transaction().execute(async (tx) => {
    // Locked and re-read in the transaction: an order written to a moment ago is no longer expired.
    const expired = await tx.selectFrom("orders").select(["id", "subject"]).where("last_record_at", "<", cutoff).forUpdate().skipLocked().execute();
    if (expired.length === 0) return { orders: 0, records: 0 };
    const subjects = expired.map((o) => o.subject);
    const records = (await tx.selectFrom("records").select("id").where("subject", "in", subjects).execute()).map((r) => r.id);
    if (records.length > 0) {
      await tx.deleteFrom("record_disclosures").where("record_id", "in", records).execute();
      await tx.deleteFrom("record_payloads").where("record_id", "in", records).execute();
    }
    // after_sales and order_items go with their order (on delete cascade).
    await tx.deleteFrom("orders").where("id", "in", expired.map((o) => o.id)).execute();
    return { orders: expired.length, records: records.length };
  });
}

/** Runs the purge every `intervalMs`; returns the stopper. Errors are logged, never thrown. */
export function schedulePurge(db: Db, retentionDays: number, intervalMs: number, log: { info(o: object, m: string): void; error(o: object, m: string): void }): () => void {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      const result = await purgeExpiredEvidence(db, retentionDays);
      if (result.orders > 0) log.info(result, "retention: purged expired transaction evidence");
    } catch (error) {
      log.error({ err: error }, "retention: purge failed; retrying at the next interval");
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
