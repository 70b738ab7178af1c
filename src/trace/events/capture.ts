// The EPCIS 2.0 capture interface (EPCIS 2.0 §8.2.7, REST binding `POST /capture`): a document is
// checked whole before anything is written — schema, hash IDs, and that every object is the
// merchant's — then its events are written as a capture job, a chunk of CHUNK_EVENTS per
// transaction, and the job is what `GET /epcis/capture/{captureID}` reports.
//
// Small documents (up to one chunk, the usual case for a scanner or an ERP hook) are written
// before the 202 is sent, in one transaction: the job has succeeded by the time the client polls,
// and either every event is stored or none (the standard's captureErrorBehaviour "rollback").
// Larger ones run in the background; a failure in a later chunk keeps the chunks before it
// ("proceed"), and the job says how far it got. Client mistakes never get that far: they are
// found before the job exists.
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import type { JobRow } from "../../db/jobs.table.ts";
import { AppError } from "../../errors.ts";
import { addDone, createJob, findJob, markFinished, markRunning } from "../../jobs/jobs.ts";
import type { JobRunner } from "../../jobs/runner.ts";
import { merchantUrn } from "../subjects.ts";
import { SubjectMapper } from "./objects.ts";
import { assertOwnObjects } from "./ownership.ts";
import { checkDocument, identifyEvents, identifyEventsInSlices, planEvents, type PlannedEvent } from "./plan.ts";
import { writeEventChunk } from "./write.ts";

export const CAPTURE_JOB = "epcis.capture";
/** Events per transaction: the statements of a chunk cost the same for 1 event or 1,000. */
export const CHUNK_EVENTS = 1_000;

export interface CaptureContext {
  db: Db;
  jobs: JobRunner;
  base: string;
}

/** The subject of a merchant's events that name no object. */
export const merchantEventsSubject = (merchantId: string) => `${merchantUrn(merchantId)}:epcis`;

const mappers = new Map<string, SubjectMapper>();
const mapperFor = (base: string) => mappers.get(base) ?? mappers.set(base, new SubjectMapper(base)).get(base)!;

/** The capture job: finished when the document was small enough to write before answering. */
export async function startCapture(ctx: CaptureContext, principal: Principal, document: unknown): Promise<JobRow> {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new AppError("FORBIDDEN", "only a merchant captures events");
  const events = checkDocument(document);
  const planned = planEvents(document as Record<string, unknown>, events, mapperFor(ctx.base));
  // An event that names no object (sensor readings at a place, say) still needs a chain to be
  // proven on: the merchant's own chain of such events.
  for (const event of planned) if (event.subjects.length === 0) event.subjects.push(merchantEventsSubject(merchantId));
  await assertOwnObjects(ctx.db, merchantId, planned);
  const job = await createJob(ctx.db, { kind: CAPTURE_JOB, merchantId, total: planned.length, target: { events: String(planned.length) } });
  if (planned.length > CHUNK_EVENTS) {
    ctx.jobs.enqueue(job.id, (signal) => writeCapture(ctx.db, principal, job.id, planned, signal));
    return job;
  }
  await markRunning(ctx.db, job.id);
  try {
    await writeCapture(ctx.db, principal, job.id, planned);
  } catch (error) {
    await markFinished(ctx.db, job.id, error instanceof AppError ? error.message : `internal error; quote capture ${job.id} to the operator`);
    throw error;
  }
  await markFinished(ctx.db, job.id, null);
  return (await findJob(ctx.db, job.id, merchantId))!;
}

/**
 * Writes the events a chunk per transaction. The next chunk's hash IDs and payload bytes are
 * computed while the database works on the current one (in slices, between its replies): on two
 * cores the hashing and the inserts overlap instead of taking turns. What each chunk stored is
 * counted in the job's row, in the chunk's transaction.
 */
async function writeCapture(db: Db, principal: Principal, captureId: string, events: PlannedEvent[], signal?: AbortSignal): Promise<void> {
  identifyEvents(events.slice(0, CHUNK_EVENTS));
  for (let start = 0; start < events.length; start += CHUNK_EVENTS) {
    if (signal?.aborted) throw new AppError("NOT_READY", `the service shut down after ${start} of ${events.length} events; those are stored, the rest are not: capture the document again (stored events are recognised as duplicates)`);
    const chunk = events.slice(start, start + CHUNK_EVENTS);
    const writing = db.transaction().execute(async (tx) => {
      const { stored } = await writeEventChunk(tx, principal, captureId, chunk);
      await addDone(tx, captureId, chunk.length, stored);
    });
    const identifying = identifyEventsInSlices(events.slice(start + CHUNK_EVENTS, start + 2 * CHUNK_EVENTS));
    await Promise.all([writing, identifying]);
  }
}

/**
 * The capture job as the EPCIS 2.0 REST binding describes it (captureID, running, success,
 * captureErrorBehaviour, errors), with our counts: events in the document, processed, stored,
 * and duplicates (already captured, by event hash ID, so not stored again).
 */
export function captureJobView(job: JobRow) {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  const running = job.status === "queued" || job.status === "running";
  return {
    captureID: job.id,
    createdAt: new Date(job.created_at).toISOString(),
    finishedAt: iso(job.finished_at),
    running,
    success: job.status === "succeeded",
    captureErrorBehaviour: job.total <= CHUNK_EVENTS ? ("rollback" as const) : ("proceed" as const),
    errors: job.error === null ? [] : [job.error],
    events: job.total,
    processed: job.done,
    stored: job.stored,
    duplicates: job.done - job.stored,
  };
}
