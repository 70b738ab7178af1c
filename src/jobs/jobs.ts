// Background jobs: a row per job that says how far it got. `done` moves in the transaction that
// commits the work, so it never counts what a crash took back.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { JobRow } from "../db/jobs.table.ts";
import type { Tx } from "../trace/domain-write.ts";

export async function createJob(db: Db, job: { kind: string; merchantId: string; total: number; target: Record<string, string>; secretResult?: boolean }): Promise<JobRow> {
  return db
    .insertInto("jobs")
    .values({ id: randomUUID(), kind: job.kind, merchant_id: job.merchantId, status: "queued", total: job.total, target: JSON.stringify(job.target), secret_result: job.secretResult ?? false })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The job, if `merchantId` is null (the operator) or owns it. */
export async function findJob(db: Db, id: string, merchantId: string | null): Promise<JobRow | null> {
  const row = await db
    .selectFrom("jobs")
    .selectAll()
    .where("id", "=", id)
    .$if(merchantId !== null, (q) => q.where("merchant_id", "=", merchantId as string))
    .executeTakeFirst();
  return row ?? null;
}

export async function markRunning(db: Db, id: string): Promise<void> {
  await db.updateTable("jobs").set({ status: "running", started_at: sql<Date>`now()` }).where("id", "=", id).execute();
}

export async function markFinished(db: Db, id: string, error: string | null): Promise<void> {
  await db
    .updateTable("jobs")
    .set({ status: error === null ? "succeeded" : "failed", error, finished_at: sql<Date>`now()` })
    .where("id", "=", id)
    .execute();
}

/** Counts `n` more units done, `stored` of them stored (all, unless given), inside the transaction that commits them. */
export async function addDone(tx: Tx, id: string, n: number, stored = n): Promise<void> {
  await tx
    .updateTable("jobs")
    .set((eb) => ({ done: eb("done", "+", n), stored: eb("stored", "+", stored) }))
    .where("id", "=", id)
    .execute();
}

export type SecretResultState = "none" | "pending" | "ready" | "gone";

/** The API's view of a job; `secrets` says where its one-time result stands in this process. */
export function jobView(row: JobRow, secrets: SecretResultState) {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    total: row.total,
    done: row.done,
    errors: row.error === null ? [] : [row.error],
    target: row.target,
    pins: secrets,
    createdAt: new Date(row.created_at).toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    links: { self: `/v1/jobs/${row.id}`, items: `/v1/jobs/${row.id}/items` },
  };
}
