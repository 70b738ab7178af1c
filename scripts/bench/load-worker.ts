// The load generator's loop, in a worker thread of its own (scripts/bench/single.ts load()). In
// the bench's main thread it shared a heap of tens of MB with everything the part had set up, and
// the answers it reads (up to 200 MB/s of buffers) set off a major GC of that heap several times a
// second: pauses of 10–25 ms in the client that showed up as the server's p99. A worker's heap holds
// only this loop.
import { parentPort, workerData } from "node:worker_threads";
import { Pool } from "undici";

export interface PlannedRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadPlan {
  url: string;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  /** Sent in turn, round and round. */
  requests: PlannedRequest[];
  expected: number;
  /** Keep the `id` of each JSON answer (the single-write part reads their receipts next). */
  collectIds: boolean;
}

export interface LoadOutcome {
  /** Latencies of the requests that ended inside the measured window without error, ms, sorted. */
  latencies: number[];
  errors: number;
  firstError: string | null;
  ids: string[];
  /** Requests sent in all, warm-up included. */
  sent: number;
}

/** Posted when the loop starts, so that the caller's CPU window starts with it. */
export const STARTED = "started";

async function run(plan: LoadPlan): Promise<LoadOutcome> {
  // One connection per request in flight, kept alive; pipelining 1 = none (RFC 9112 §9.3.2).
  const pool = new Pool(plan.url, { connections: plan.concurrency, pipelining: 1 });
  const measureStart = performance.now() + plan.warmupMs;
  const measureEnd = measureStart + plan.measureMs;
  const latencies: number[] = [];
  const ids: string[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const send = async (request: PlannedRequest): Promise<string | null> => {
    try {
      const res = await pool.request({ path: request.path, method: request.method, headers: request.headers, body: request.body ?? null });
      if (res.statusCode !== plan.expected) return `${res.statusCode} ${(await res.body.text()).slice(0, 300)}`;
      if (plan.collectIds) ids.push(((await res.body.json()) as { id: string }).id);
      // Read to the end but not decoded: decoding a 50 KB page costs the client more than the server spends on it.
      else await res.body.dump({ limit: 64 * 1024 * 1024 });
      return null;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
  const client = async () => {
    while (performance.now() < measureEnd) {
      const started = performance.now();
      const error = await send(plan.requests[next++ % plan.requests.length]!);
      const ended = performance.now();
      if (error) firstError ??= error;
      if (ended < measureStart || ended > measureEnd) continue;
      if (error) errors++;
      else latencies.push(ended - started);
    }
  };
  parentPort!.postMessage(STARTED);
  await Promise.all(Array.from({ length: plan.concurrency }, client));
  await pool.close();
  return { latencies: latencies.sort((a, b) => a - b), errors, firstError, ids, sent: next };
}

if (parentPort) parentPort.postMessage(await run(workerData as LoadPlan));
