// Serialised items (issue 8): generated in bulk for a lot by a background job, each with a
// random serial (AI 21) and its own record on {PUBLIC_BASE_URL}/01/{gtin14}/21/{serial}.
//
// Serials: `serialLength` characters (default 12) drawn with a CSPRNG from the 62 letters and
// digits of GS1 character set 82 (src/gs1/serial.ts): 12 × log2(62) ≈ 71.5 bits (11, the minimum,
// ≈ 65.5), so holding some items tells nothing about the serials of the others. The primary key
// (gtin, serial) makes a serial unique per GTIN; on a collision (about 2^-71 per pair) the
// colliding serials are drawn again.
//
// The job writes CHUNK items per transaction: the item rows, their records (through the unnest
// insert of notarize()) and their payloads, and the job's `done`; so a crash loses at most the
// chunks in flight, and `done` counts exactly what is committed.
import { sql } from "kysely";
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import type { ItemRow } from "../db/items.table.ts";
import { AppError, notFound } from "../errors.ts";
import { randomSerial, SERIAL_ALPHABET } from "../gs1/index.ts";
import { addDone, createJob } from "../jobs/jobs.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { ReadScope } from "../records/submitter.ts";
import type { CreateItemsBodyT } from "../schemas/trace.ts";
import { TRACE_KINDS, writeDomainRecords, type Tx } from "./domain-write.ts";
import { gtin14Of, lotOf, serialOf } from "./gs1-input.ts";
import { historyOf, type HistoryEntry } from "./history.ts";
import { findOwnLot } from "./lots.ts";
import { DEFAULT_PIN_LENGTH, pinHasher, randomPin, type PinKey } from "./pins.ts";
import { itemSubjects, merchantUrn } from "./subjects.ts";

export const ITEMS_JOB = "trace.items";
export const DEFAULT_SERIAL_LENGTH = 12;
/** Items per transaction: large enough that the per-statement cost vanishes, small enough to keep a transaction short. */
export const CHUNK = 5_000;
/** Draws of a colliding serial before the job gives up: a second collision in a row means a broken RNG. */
const MAX_DRAWS = 3;

export interface ItemsJobContext {
  db: Db;
  jobs: JobRunner;
  base: string;
  pinKey: PinKey;
}

/** Checks the request, records the job and queues it; the job's row is what the 202 answers with. */
export async function startItemsJob(ctx: ItemsJobContext, principal: Principal, gtinParam: string, lotParam: string, body: CreateItemsBodyT) {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new AppError("FORBIDDEN", "only a merchant generates items");
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const lot = lotOf(lotParam, "params.lot");
  const wantsPins = body.pins === true;
  if (wantsPins && ctx.pinKey === null) {
    throw new AppError("UNPROCESSABLE", "body.pins: this service has no PIN_HMAC_KEY, so it cannot issue PINs; ask the operator to set one", { field: "body.pins" });
  }
  const lotRow = await findOwnLot(ctx.db, merchantId, gtin, lot);
  const job = await createJob(ctx.db, { kind: ITEMS_JOB, merchantId, total: body.count, target: { gtin, lot }, secretResult: wantsPins });
  const plan: ItemsPlan = {
    jobId: job.id,
    gtin,
    lot,
    lotSubject: lotRow.subject,
    productSubject: lotRow.subject.slice(0, lotRow.subject.lastIndexOf("/10/")),
    count: body.count,
    serialLength: body.serialLength ?? DEFAULT_SERIAL_LENGTH,
    pinLength: wantsPins ? (body.pinLength ?? DEFAULT_PIN_LENGTH) : null,
  };
  const pins: string[] | null = wantsPins ? [] : null;
  if (pins) ctx.jobs.keepOnce(job.id, pins);
  ctx.jobs.enqueue(job.id, (signal) => generateItems(ctx, principal, plan, pins, signal));
  return job;
}

interface ItemsPlan {
  jobId: string;
  gtin: string;
  lot: string;
  lotSubject: string;
  productSubject: string;
  count: number;
  serialLength: number;
  pinLength: number | null;
}

/**
 * Two chunks are in flight at once, each in its own transaction: while PostgreSQL inserts one,
 * Node draws and hashes the next. Chunks are independent (new subjects, disjoint job indexes), so
 * their order does not matter; each PIN is kept at its item's job index.
 */
async function generateItems(ctx: ItemsJobContext, principal: Principal, plan: ItemsPlan, pins: string[] | null, signal: AbortSignal): Promise<void> {
  const starts = Array.from({ length: Math.ceil(plan.count / CHUNK) }, (_, i) => i * CHUNK);
  let committed = 0;
  const worker = async () => {
    for (let start = starts.shift(); start !== undefined; start = starts.shift()) {
      if (signal.aborted) {
        throw new AppError("NOT_READY", `the service shut down after ${committed} of ${plan.count} items; those are registered, the rest are not`);
      }
      const size = Math.min(CHUNK, plan.count - start);
      const chunkPins = plan.pinLength === null ? null : Array.from({ length: size }, () => randomPin(plan.pinLength!));
      await ctx.db.transaction().execute((tx) => writeChunk(tx, ctx, principal, plan, start, size, chunkPins));
      committed += size;
      // Only committed items' PINs are offered: each is kept once its chunk is durable.
      if (pins && chunkPins) chunkPins.forEach((pin, i) => (pins[start + i] = pin));
    }
  };
  const results = await Promise.allSettled([worker(), worker()]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

async function writeChunk(tx: Tx, ctx: ItemsJobContext, principal: Principal, plan: ItemsPlan, start: number, size: number, pins: string[] | null): Promise<void> {
  const merchantId = principal.merchantId as string;
  const serials = Array.from({ length: size }, () => randomSerial(plan.serialLength, SERIAL_ALPHABET));
  const subjects = itemSubjects(ctx.base, plan.gtin, serials);
  const hmacOf = pins && ctx.pinKey ? pinHasher(ctx.pinKey.key) : null;

  // Insert the rows; the ones whose (gtin, serial) is taken come back missing and are drawn again.
  let pending = serials.map((_, i) => i);
  for (let draw = 1; pending.length > 0; draw++) {
    if (draw > MAX_DRAWS) throw new Error(`serials of job ${plan.jobId} kept colliding: ${pending.length} left after ${MAX_DRAWS} draws`);
    if (draw > 1) {
      for (const i of pending) {
        serials[i] = randomSerial(plan.serialLength, SERIAL_ALPHABET);
        subjects[i] = itemSubjects(ctx.base, plan.gtin, [serials[i]!])[0]!;
      }
    }
    const column = <T>(f: (i: number) => T) => pending.map(f);
    const inserted = await sql<{ job_index: number }>`
      insert into items (gtin, serial, lot, merchant_id, subject, job_id, job_index, pin_hmac)
      select ${plan.gtin}, serial, ${plan.lot}, ${merchantId}::uuid, subject, ${plan.jobId}::uuid, job_index, pin_hmac
        from unnest(${column((i) => serials[i]!)}::text[], ${column((i) => subjects[i]!)}::text[], ${column((i) => start + i)}::int[],
                    ${column((i) => (hmacOf && pins ? hmacOf(plan.gtin, serials[i]!, pins[i]!) : null))}::text[])
             as u(serial, subject, job_index, pin_hmac)
      on conflict (gtin, serial) do nothing
      returning job_index`.execute(tx);
    const done = new Set(inserted.rows.map((r) => r.job_index - start));
    pending = pending.filter((i) => !done.has(i));
  }

  const { foreignSubjects } = await writeDomainRecords(
    tx,
    principal,
    serials.map((serial, i) => ({
      kind: TRACE_KINDS.item,
      subject: subjects[i]!,
      payload: {
        type: "item",
        gtin: plan.gtin,
        lot: plan.lot,
        serial,
        product: plan.productSubject,
        lotSubject: plan.lotSubject,
        merchant: merchantUrn(merchantId),
        pinProtected: pins !== null,
      },
      prev: null,
    })),
  );
  // Only a record written on that very URI before the serial was drawn can hold one: nobody can.
  if (foreignSubjects.length > 0) throw new Error(`item subjects held by another submitter: ${foreignSubjects.join(", ")}`);
  await addDone(tx, plan.jobId, size);
}

export interface ItemView {
  gtin: string;
  serial: string;
  lot: string;
  subject: string;
  lotSubject: string;
  productSubject: string;
  merchantId: string;
  pinProtected: boolean;
  createdAt: string;
  history: HistoryEntry[];
}

export async function getItem(db: Db, scope: ReadScope, gtinParam: string, serialParam: string): Promise<ItemView> {
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const serial = serialOf(serialParam, "params.serial");
  const row = await db
    .selectFrom("items")
    .innerJoin("lots", (j) => j.onRef("lots.gtin", "=", "items.gtin").onRef("lots.lot", "=", "items.lot"))
    .selectAll("items")
    .select("lots.subject as lot_subject")
    .where("items.gtin", "=", gtin)
    .where("items.serial", "=", serial)
    .$if(scope !== "all", (q) => q.where("items.merchant_id", "=", (scope as { merchantId: string }).merchantId))
    .executeTakeFirst();
  if (!row) throw notFound("item", "params.serial");
  return {
    gtin: row.gtin,
    serial: row.serial,
    lot: row.lot,
    subject: row.subject,
    lotSubject: row.lot_subject,
    productSubject: row.lot_subject.slice(0, row.lot_subject.lastIndexOf("/10/")),
    merchantId: row.merchant_id,
    pinProtected: row.pin_hmac !== null,
    createdAt: new Date(row.created_at).toISOString(),
    history: await historyOf(db, row.subject),
  };
}

/** A job's items in job order, a page at a time (a job holds up to 100,000). */
export async function* itemsOfJob(db: Db, jobId: string, pageSize = 10_000): AsyncGenerator<Pick<ItemRow, "serial" | "subject" | "job_index">[]> {
  let after = -1;
  for (;;) {
    const page = await db
      .selectFrom("items")
      .select(["serial", "subject", "job_index"])
      .where("job_id", "=", jobId)
      .where("job_index", ">", after)
      .orderBy("job_index")
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.job_index!;
  }
}
