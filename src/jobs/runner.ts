// Runs background jobs in this process, a few at a time, and keeps what a job may hand out only
// once (scratch PINs) in memory, never in the database.
//
// A job runs where it was accepted. Closing the app stops the running jobs between two units of
// work and marks them failed (what they committed stays); a crash leaves a job "running" with
// `done` exact, since `done` moves in the transaction that commits the work.
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { markFinished, markRunning } from "./jobs.ts";

export type JobWork = (signal: AbortSignal) => Promise<void>;

/** Jobs that run at once; the rest wait, queued, in order. Two cores, shared with the API. */
const CONCURRENCY = 2;
/** How long a one-time result waits for its download after the job has finished. */
export const ONE_TIME_TTL_MS = 60 * 60 * 1000;

export class JobRunner {
  readonly #db: Db;
  readonly #log: FastifyBaseLogger;
  readonly #queue: Array<{ id: string; work: JobWork }> = [];
  readonly #running = new Map<string, { controller: AbortController; finished: Promise<void> }>();
  readonly #oneTime = new Map<string, { value: unknown; timer: NodeJS.Timeout | null }>();
  #closing = false;

  constructor(db: Db, log: FastifyBaseLogger) {
    this.#db = db;
    this.#log = log;
  }

  /** Queues the job (its row exists, status queued); it starts as soon as a slot is free. */
  enqueue(id: string, work: JobWork): void {
    if (this.#closing) throw new AppError("NOT_READY", "the service is shutting down; retry on another instance");
    this.#queue.push({ id, work });
    this.#next();
  }

  #next(): void {
    while (!this.#closing && this.#running.size < CONCURRENCY && this.#queue.length > 0) {
      const { id, work } = this.#queue.shift()!;
      const controller = new AbortController();
      const finished = this.#run(id, work, controller.signal).finally(() => {
        this.#running.delete(id);
        this.#next();
      });
      this.#running.set(id, { controller, finished });
    }
  }

  async #run(id: string, work: JobWork, signal: AbortSignal): Promise<void> {
    let error: string | null = null;
    try {
      await markRunning(this.#db, id);
      await work(signal);
    } catch (cause) {
      // A coded error is meant for the client; anything else stays in the log, under the job id.
      error = cause instanceof AppError ? cause.message : `internal error; quote job ${id} to the operator`;
      if (!(cause instanceof AppError)) this.#log.error({ err: cause, jobId: id }, "job failed");
    }
    await markFinished(this.#db, id, error).catch((cause: unknown) => this.#log.error({ err: cause, jobId: id }, "cannot record the end of a job"));
    const kept = this.#oneTime.get(id);
    if (kept && kept.timer === null) kept.timer = setTimeout(() => this.#oneTime.delete(id), ONE_TIME_TTL_MS).unref();
  }

  /** Whether the job is queued or running in this process. */
  isActive(id: string): boolean {
    return this.#running.has(id) || this.#queue.some((q) => q.id === id);
  }

  /** Keeps a value the job's owner may take once (until taken, or ONE_TIME_TTL_MS after the job ends). */
  keepOnce(id: string, value: unknown): void {
    this.#oneTime.set(id, { value, timer: null });
  }

  hasOnce(id: string): boolean {
    return this.#oneTime.has(id);
  }

  /** The kept value, forgotten as it is handed out; undefined when there is none (any more). */
  takeOnce(id: string): unknown {
    const kept = this.#oneTime.get(id);
    if (!kept) return undefined;
    if (kept.timer) clearTimeout(kept.timer);
    this.#oneTime.delete(id);
    return kept.value;
  }

  /** Stops taking jobs, fails the queued ones, stops the running ones between two units and waits for them. */
  async close(): Promise<void> {
    this.#closing = true;
    for (const { id } of this.#queue.splice(0)) {
      await markFinished(this.#db, id, "the service shut down before the job started; nothing was done").catch(() => {});
    }
    for (const { controller } of this.#running.values()) controller.abort();
    await Promise.all([...this.#running.values()].map((r) => r.finished));
    for (const { timer } of this.#oneTime.values()) if (timer) clearTimeout(timer);
    this.#oneTime.clear();
  }
}
