// Single-record writes (POST /v1/records, one record a request) at a given number of requests in
// flight, and receipt reads (GET /v1/records/:id/receipt) of the records written: requests/s and
// latency percentiles, measured by this process (the load generator) against the real service in
// a child process. Issue 7's target: >= 3,000 writes/s at 64 in flight with p99 <= 25 ms, on
// PostgreSQL with fsync on; receipts >= 2,500/s.
//
// The client (single.ts load()) is wrk when it is installed, else undici's Pool in a worker thread:
// one keep-alive connection per request in flight, pipelining off (a request is sent only once the
// previous answer on its connection is in), request bodies built before the measured window. On a
// small machine the load generator's own CPU is taken from the server, so its CPU per request is
// printed beside the server's: wrk's is about a third of undici's (wrk.ts). Every request has a
// subject of its own (an order), as live-stream evidence does; a subject written by two
// transactions at once would serialise them on its row lock.
//
// Beside the rates, the CPU time of the server process and of the database's backends per request,
// read from /proc (same machine only): the rate moves with whatever else runs on the machine, the
// CPU cost much less, and it says where the time goes. At the end the records table is counted
// against the 202s.
import { loadavg } from "node:os";
import pg from "pg";
import { Worker } from "node:worker_threads";
import { STARTED, type LoadOutcome, type LoadPlan } from "./load-worker.ts";
import { startBenchServer } from "./server.ts";
import { runWrk, wrkAvailable, writePlan } from "./wrk.ts";
import { percentile, processCpuMs, sampleRecord, sleep } from "./support.ts";

export interface RateResult {
  what: string;
  concurrency: number;
  seconds: number;
  requests: number;
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  firstError: string | null;
  /** CPU ms per 1,000 requests in the measured window; null where /proc cannot tell. */
  cpuPer1k: { server: number | null; database: number | null; client: number };
  /** The 1-minute load average when the window closed. */
  load: number;
  /** Requests sent in all, warm-up included. */
  sent: number;
  /** The load generator: wrk when installed (wrk.ts), else undici in a worker thread. */
  client: "wrk" | "undici";
}

export interface SingleResult {
  writes: RateResult[];
  receipts: RateResult | null;
  /** Records whose 202 the client read (with wrk, the warm-ups'; with undici, all), and how many of them are in the records table at the end. */
  accepted: number;
  stored: number | null;
  /** Transactions that inserted the records: fewer than records means writes shared them. */
  transactions: number | null;
  pipeline: string;
}

export interface SingleOptions {
  databaseUrl: string | undefined;
  concurrencies?: number[];
  warmupMs?: number;
  measureMs?: number;
  /** Whether the server seals and anchors while it is loaded ("on": the honest figure). */
  pipeline?: "on" | "off";
  serverNodeArgs?: string[];
  /** Extra server environment (GROUP_COMMIT_*, KEY_CACHE_MS, DATABASE_POOL_SIZE…). */
  serverEnv?: Record<string, string>;
  /** Whether to measure receipt reads after the writes (default true). */
  receipts?: boolean;
}

export async function benchSingle(options: SingleOptions): Promise<SingleResult> {
  const pipeline = options.pipeline ?? "on";
  const server = await startBenchServer(options.databaseUrl, { PIPELINE: pipeline, LOG_LEVEL: "warn", ...options.serverEnv }, options.serverNodeArgs);
  const meter = await cpuMeter(server.pid, options.databaseUrl);
  let nextRecord = 0;
  try {
    const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
    const warmupMs = options.warmupMs ?? 1_500;
    const measureMs = options.measureMs ?? 6_000;
    const ids: string[] = [];
    const writes: RateResult[] = [];
    for (const concurrency of options.concurrencies ?? [16, 64]) {
      // Enough bodies for the window at a generous rate, built before it.
      const bodies = Array.from({ length: Math.ceil(((warmupMs + measureMs) / 1000) * 12_000) }, () => JSON.stringify(sampleRecord(nextRecord++)));
      writes.push(
        await load({
          what: "POST /v1/records",
          concurrency,
          warmupMs,
          measureMs,
          meter,
          url: server.url,
          requests: bodies.map((body) => ({ path: "/v1/records", method: "POST", headers, body })),
          expected: 202,
          onId: (id) => ids.push(id),
        }),
      );
    }
    const accepted = ids.length;
    // Give the pipeline a moment, so that most receipts read back hold an inclusion proof.
    if (pipeline === "on") await sleep(3_000);
    const receipts =
      ids.length === 0 || options.receipts === false
        ? null
        : await load({
            what: "GET /v1/records/:id/receipt",
            concurrency: 64,
            warmupMs,
            measureMs,
            meter,
            url: server.url,
            requests: ids.map((id) => ({ path: `/v1/records/${id}/receipt`, method: "GET", headers: { authorization: headers.authorization } })),
            expected: 200,
          });
    const counted = options.databaseUrl ? await countRecords(options.databaseUrl, ids) : null;
    // Sealing rewrites the rows (a new xmin), so transactions are only told apart with the pipeline off.
    const transactions = pipeline === "off" ? (counted?.transactions ?? null) : null;
    return { writes, receipts, accepted, stored: counted?.records ?? null, transactions, pipeline };
  } finally {
    await meter.close();
    await server.stop();
  }
}

/** One request; resolves with its outcome, never rejects. */
export interface LoadSpec extends Omit<LoadPlan, "collectIds"> {
  what: string;
  meter: CpuMeter;
  /** Called with the `id` of every answer, warm-up included (the answers are then parsed as JSON). */
  onId?: (id: string) => void;
}

/**
 * `concurrency` clients send back to back: wrk when it is installed (wrk.ts says why), else
 * undici in a worker thread (load-worker.ts says why); requests that end inside the measured
 * window count, and the CPU window is the same one.
 */
export async function load(spec: LoadSpec): Promise<RateResult> {
  return wrkAvailable() ? loadWithWrk(spec) : loadWithUndici(spec);
}

async function loadWithWrk(spec: LoadSpec): Promise<RateResult> {
  const { what, meter, onId, ...plan } = spec;
  const file = writePlan(plan.requests);
  try {
    const run = (seconds: number, start: number, check: boolean) =>
      runWrk({ url: plan.url, planPath: file.path, concurrency: plan.concurrency, seconds, start, expected: plan.expected, check, collectIds: check && onId !== undefined });
    // The warm-up reads every answer (its status, the ids); the measured run only times them.
    const warmup = await run(Math.max(1, Math.round(plan.warmupMs / 1000)), 0, true);
    const start = await meter.sample();
    const measured = await run(Math.max(1, Math.round(plan.measureMs / 1000)), warmup.sent, false);
    const end = await meter.sample();
    for (const id of warmup.ids) onId!(id);
    const answered = measured.requests - measured.errors;
    return {
      ...rateOf(what, plan.concurrency, measured.durationMs, answered, start, end, measured.cpuMs),
      p50Ms: measured.p50Ms,
      p99Ms: measured.p99Ms,
      maxMs: measured.maxMs,
      errors: measured.errors,
      firstError: warmup.firstError ?? measured.firstError,
      sent: warmup.sent + measured.sent,
      client: "wrk",
    };
  } finally {
    file.remove();
  }
}

async function loadWithUndici(spec: LoadSpec): Promise<RateResult> {
  const { what, meter, onId, ...plan } = spec;
  // A young generation large enough that the answers it reads die young without a scavenge every few ms.
  const worker = new Worker(new URL("./load-worker.ts", import.meta.url), { workerData: { ...plan, collectIds: onId !== undefined } satisfies LoadPlan, resourceLimits: { maxYoungGenerationSizeMb: 64 } });
  let cpuAtStart: Promise<CpuSample> | null = null;
  let cpuAtEnd: Promise<CpuSample> | null = null;
  const outcome = await new Promise<LoadOutcome>((resolve, reject) => {
    worker.on("message", (message: LoadOutcome | typeof STARTED) => {
      if (message !== STARTED) return resolve(message);
      cpuAtStart = sleep(spec.warmupMs).then(() => meter.sample());
      cpuAtEnd = sleep(spec.warmupMs + spec.measureMs).then(() => meter.sample());
    });
    worker.on("error", reject);
    worker.on("exit", (code) => reject(new Error(`the load worker exited with ${code} before it answered`)));
  });
  await worker.terminate();
  outcome.ids.forEach((id) => onId!(id));
  const [start, end] = [await cpuAtStart!, await cpuAtEnd!];
  const { latencies } = outcome;
  return {
    ...rateOf(what, spec.concurrency, spec.measureMs, latencies.length, start, end, end.client - start.client),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? NaN,
    errors: outcome.errors,
    firstError: outcome.firstError,
    sent: outcome.sent,
    client: "undici",
  };
}

/** The rate and the CPU per 1,000 answers of a measured window. */
function rateOf(what: string, concurrency: number, windowMs: number, answered: number, start: CpuSample, end: CpuSample, clientMs: number) {
  const per1k = (ms: number | null) => (ms === null || answered === 0 ? null : (ms * 1000) / answered);
  return {
    what,
    concurrency,
    seconds: Math.round(windowMs / 100) / 10,
    requests: answered,
    perSec: answered / (windowMs / 1000),
    cpuPer1k: {
      server: per1k(start.server !== null && end.server !== null ? end.server - start.server : null),
      database: per1k(start.database !== null && end.database !== null ? backendDelta(start.database, end.database) : null),
      client: per1k(clientMs) ?? NaN,
    },
    load: loadavg()[0]!,
  };
}

interface CpuSample {
  server: number | null;
  database: Map<number, number> | null;
  client: number;
}

export interface CpuMeter {
  sample(): Promise<CpuSample>;
  close(): Promise<void>;
}

/** A backend opened during the window spent all of its CPU time inside it. */
function backendDelta(start: Map<number, number>, end: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of end) total += ms - (start.get(pid) ?? 0);
  return total;
}

export async function cpuMeter(serverPid: number, databaseUrl: string | undefined): Promise<CpuMeter> {
  const local = databaseUrl !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(new URL(databaseUrl).hostname);
  const client = local ? new pg.Client({ connectionString: databaseUrl }) : null;
  await client?.connect();
  return {
    async sample() {
      let database: Map<number, number> | null = null;
      if (client) {
        const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
        database = new Map(rows.flatMap((r) => ((ms) => (ms === null ? [] : [[r.pid, ms] as [number, number]]))(processCpuMs(r.pid))));
      }
      const usage = process.cpuUsage();
      return { server: processCpuMs(serverPid), database, client: (usage.user + usage.system) / 1000 };
    },
    close: async () => void (await client?.end()),
  };
}

/**
 * How many of the records answered 202 are in the table (wrk may stop with requests in flight,
 * so the table can hold a few more than were answered), and the transactions that wrote them all.
 */
async function countRecords(databaseUrl: string, answered: string[]): Promise<{ records: number; transactions: number }> {
  await sleep(200);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const found = await client.query<{ n: string }>("select count(*) as n from records where id = any($1::uuid[])", [answered]);
    // xmin: the transaction that wrote the row's current version.
    const { rows } = await client.query<{ x: string }>("select count(distinct xmin::text) as x from records");
    return { records: Number(found.rows[0]!.n), transactions: Number(rows[0]!.x) };
  } finally {
    await client.end();
  }
}

export const SINGLE_TARGET = { perSec: 3_000, concurrency: 64, p99Ms: 25 };
export const RECEIPT_TARGET = 2_500;

interface Row {
  what: string;
  measured: string;
  target: string;
  verdict: string;
}

const f = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** A measured window: concurrency, rate, latencies, errors. */
export function rateLine(x: RateResult): string {
  return `${String(x.concurrency).padStart(3)} in flight, ${x.seconds} s: ${f(x.perSec).padStart(6)} req/s, p50 ${f(x.p50Ms, 1)} ms, p99 ${f(x.p99Ms, 1)} ms, max ${f(x.maxMs, 1)} ms; ${x.errors} errors; load average ${x.load.toFixed(2)}`;
}

/** Where a rate's CPU went: what to look at when it misses. */
export function cpuLine(x: RateResult, indent = 30): string {
  const ms = (v: number | null) => (v === null ? "n/a" : `${f(v, 1)} ms`);
  return `${"".padEnd(indent)} CPU per 1,000 requests: server ${ms(x.cpuPer1k.server)}, PostgreSQL backends ${ms(x.cpuPer1k.database)}, load generator ${ms(x.cpuPer1k.client)}`;
}

/** The part's lines for `npm run bench`, its rows for the summary table, and whether every 202 was stored. */
export function singleReport(r: SingleResult): { lines: string[]; rows: Row[]; durable: boolean } {
  const describe = (x: RateResult) => [`  ${x.what.padEnd(28)} ${rateLine(x)}`, cpuLine(x) + (x.firstError ? `\n  first error: ${x.firstError}` : "")];
  const client = r.writes[0]?.client === "wrk" ? "wrk (C, one thread)" : "undici in a worker thread (install wrk for the lighter client)";
  const lines = [`pipeline ${r.pipeline} while loaded; every request a subject of its own; client ${client}, keep-alive, one connection per request in flight, no pipelining, bodies built in advance`];
  const rows: Row[] = [];
  for (const w of r.writes) {
    lines.push(...describe(w));
    const atTarget = w.concurrency === SINGLE_TARGET.concurrency;
    const ok = w.perSec >= SINGLE_TARGET.perSec && w.p99Ms <= SINGLE_TARGET.p99Ms && w.errors === 0;
    rows.push({
      what: `POST /v1/records at ${w.concurrency} in flight (p99)`,
      measured: `${f(w.perSec)} req/s (${f(w.p99Ms, 1)} ms)`,
      target: atTarget ? `>= ${f(SINGLE_TARGET.perSec)} req/s, p99 <= ${SINGLE_TARGET.p99Ms} ms` : "(informative)",
      verdict: atTarget ? (ok ? "PASS" : "MISS") : "",
    });
  }
  if (r.receipts) {
    lines.push(...describe(r.receipts));
    const ok = r.receipts.perSec >= RECEIPT_TARGET && r.receipts.errors === 0;
    rows.push({ what: "GET /v1/records/:id/receipt at 64 in flight", measured: `${f(r.receipts.perSec)} req/s`, target: `>= ${f(RECEIPT_TARGET)} req/s`, verdict: ok ? "PASS" : "MISS" });
  }
  if (r.transactions !== null) lines.push(`group commit: ${f(r.accepted)} records in ${f(r.transactions)} transactions (${f(r.accepted / Math.max(1, r.transactions), 1)} a transaction)`);
  const durable = r.stored === null || r.stored === r.accepted;
  if (r.stored !== null) lines.push(`durability check: ${f(r.accepted)} records answered 202 (read in the warm-ups), ${f(r.stored)} of them in the database ${durable ? "(equal)" : "(MISMATCH)"}`);
  return { lines, rows, durable };
}
