// The scratch PINs of a lot's items, for its label ZIP. The items jobs keep each job's PINs in
// memory until their owner takes them once (src/jobs/runner.ts, src/trace/pins.ts); the ZIP takes
// every job's that is still kept, and says which were not.
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { JobRunner } from "../jobs/runner.ts";
import { ITEMS_JOB } from "../trace/items.ts";

export interface TakenPins {
  byJob: Map<string, readonly string[]>;
  /** Whether some of the lot's PIN-bearing jobs had handed theirs out already (those items get an empty pin). */
  partial: boolean;
}

export async function takeLotPins(db: Db, jobs: JobRunner, merchantId: string, gtin: string, lot: string): Promise<TakenPins> {
  const rows = await db
    .selectFrom("jobs")
    .select(["id", "status"])
    .where("kind", "=", ITEMS_JOB)
    .where("merchant_id", "=", merchantId)
    .where("secret_result", "=", true)
    .where((eb) => eb.and([eb(eb.ref("target", "->>").key("gtin"), "=", gtin), eb(eb.ref("target", "->>").key("lot"), "=", lot)]))
    .execute();
  if (rows.length === 0) throw new AppError("VALIDATION_FAILED", "query.pins: no item of this lot was issued with a scratch PIN", { field: "query.pins" });
  const unfinished = rows.find((r) => r.status === "queued" || r.status === "running");
  if (unfinished) throw new AppError("CONFLICT", `query.pins: items job ${unfinished.id} is ${unfinished.status}; take the PINs once it has ended`, { field: "query.pins" });
  const byJob = new Map<string, readonly string[]>();
  for (const { id } of rows) {
    const pins = jobs.takeOnce(id) as string[] | undefined;
    if (pins) byJob.set(id, pins);
  }
  if (byJob.size === 0) {
    throw new AppError("GONE", "query.pins: this lot's PINs were handed out already (or their hour passed); Tracemark keeps only their keyed hashes. Download without pins=1", { field: "query.pins" });
  }
  return { byJob, partial: byJob.size < rows.length };
}
