// Ingest through the real HTTP API: POST /v1/records (one record a request) and
// POST /v1/records/batch (1,000 records a request), with a few requests in flight, each loop
// bounded in time. The server runs in its own process with PIPELINE=off, so the figure is
// ingest alone: nothing seals or anchors while it is measured. A 202 means the records were
// committed (notarize.ts), and at the end the rows in the database are counted against the 202s.
//
// Beside the rate, the CPU time that the server process and the database's backends spent per
// 1,000 records is read from /proc: on a shared or small machine the rate moves with whatever
// else runs, the CPU cost per record much less, and it says which side is the bottleneck.
import pg from "pg";
import { MAX_BATCH_RECORDS } from "../../src/schemas/records.ts";
import { startBenchServer } from "./server.ts";
import { percentile, processCpuMs, sampleRecord, sleep } from "./support.ts";

export interface LoadResult {
  endpoint: string;
  recordsPerRequest: number;
  concurrency: number;
  seconds: number;
  requests: number;
  recordsPerSec: number;
  requestP50Ms: number;
  requestP95Ms: number;
  errors: number;
  firstError: string | null;
  /** CPU ms per 1,000 records in the measured window; null where /proc is not readable. */
  cpuPer1k: { server: number | null; database: number | null; client: number };
}

export interface IngestResult {
  single: LoadResult | null;
  batch: LoadResult | null;
  /** Records the server answered 202 for, over the whole run (warm-up included). */
  accepted: number;
  /** Rows in the records table at the end; null on PGlite (the server's memory is its own). */
  stored: number | null;
  logLevel: string;
}

export interface IngestOptions {
  /** Fresh database for the run; undefined: the server uses its own in-memory PGlite. */
  databaseUrl: string | undefined;
  warmupMs?: number;
  measureMs?: number;
  singleConcurrency?: number;
  batchConcurrency?: number;
  /** The server's LOG_LEVEL; "info" (its default, one line per request) unless told. */
  logLevel?: string;
  /** Extra node flags for the server process, e.g. ["--cpu-prof", "--cpu-prof-dir=prof"]. */
  serverNodeArgs?: string[];
  /** Which endpoints to load (both by default). */
  endpoints?: ReadonlyArray<"single" | "batch">;
}

export async function benchIngest(options: IngestOptions): Promise<IngestResult> {
  const logLevel = options.logLevel ?? "info";
  const server = await startBenchServer(options.databaseUrl, { PIPELINE: "off", LOG_LEVEL: logLevel }, options.serverNodeArgs);
  const meter = await cpuMeter(server.pid, options.databaseUrl);
  try {
    const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
    const warmupMs = options.warmupMs ?? 1_500;
    const measureMs = options.measureMs ?? 6_000;
    const endpoints = options.endpoints ?? ["single", "batch"];
    let accepted = 0;
    const onAccepted = (n: number) => (accepted += n);

    // Bodies are serialised up front so the client spends its time sending, not building JSON.
    const singles = Array.from({ length: 512 }, (_, i) => JSON.stringify(sampleRecord(i)));
    const batches = Array.from({ length: 4 }, (_, b) =>
      JSON.stringify({ records: Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => sampleRecord(b * MAX_BATCH_RECORDS + i)) }),
    );
    const common = { headers, warmupMs, measureMs, onAccepted, meter };
    const single = !endpoints.includes("single")
      ? null
      : await load({ ...common, url: `${server.url}/v1/records`, bodies: singles, recordsPerRequest: 1, concurrency: options.singleConcurrency ?? 4 });
    const batch = !endpoints.includes("batch")
      ? null
      : await load({ ...common, url: `${server.url}/v1/records/batch`, bodies: batches, recordsPerRequest: MAX_BATCH_RECORDS, concurrency: options.batchConcurrency ?? 3 });
    const stored = options.databaseUrl ? await countRecords(options.databaseUrl) : null;
    return { single, batch, accepted, stored, logLevel };
  } finally {
    await meter.close();
    await server.stop();
  }
}

interface CpuSample {
  server: number | null;
  /** Per backend pid of the bench database. */
  backends: Map<number, number> | null;
  client: number;
}

interface CpuMeter {
  sample(): Promise<CpuSample>;
  close(): Promise<void>;
}

/** Reads the server's and the database backends' CPU time (same machine only; else nulls). */
async function cpuMeter(serverPid: number, databaseUrl: string | undefined): Promise<CpuMeter> {
  // Backend pids only mean something in this machine's /proc when the server runs here.
  const local = databaseUrl !== undefined && ["127.0.0.1", "localhost", "[::1]"].includes(new URL(databaseUrl).hostname);
  const client = local ? new pg.Client({ connectionString: databaseUrl }) : null;
  await client?.connect();
  const backendPids = async (): Promise<number[]> => {
    if (!client) return [];
    const { rows } = await client.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()");
    return rows.map((r) => r.pid);
  };
  return {
    async sample() {
      const pids = await backendPids();
      const backends = new Map<number, number>();
      for (const pid of pids) {
        const ms = processCpuMs(pid);
        if (ms !== null) backends.set(pid, ms);
      }
      const usage = process.cpuUsage();
      return {
        server: processCpuMs(serverPid),
        backends: client && (pids.length === 0 || backends.size > 0) ? backends : null,
        client: (usage.user + usage.system) / 1000,
      };
    },
    close: async () => void (await client?.end()),
  };
}

function cpuPer1k(start: CpuSample, end: CpuSample, records: number): LoadResult["cpuPer1k"] {
  const per1k = (ms: number) => (records > 0 ? (ms * 1000) / records : NaN);
  let database: number | null = null;
  if (start.backends && end.backends) {
    let total = 0;
    // A backend opened during the window spent all of its CPU time inside it.
    for (const [pid, ms] of end.backends) total += ms - (start.backends.get(pid) ?? 0);
    database = per1k(total);
  }
  return {
    server: start.server !== null && end.server !== null ? per1k(end.server - start.server) : null,
    database,
    client: per1k(end.client - start.client),
  };
}

interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  bodies: string[];
  recordsPerRequest: number;
  concurrency: number;
  warmupMs: number;
  measureMs: number;
  onAccepted(records: number): void;
  meter: CpuMeter;
}

/**
 * `concurrency` workers send back to back until the window closes. Requests that complete inside
 * the measured window count (whenever they started); the warm-up lets the JIT, the connection pool
 * and keep-alive connections settle first.
 */
async function load(spec: LoadSpec): Promise<LoadResult> {
  const measureStart = performance.now() + spec.warmupMs;
  const measureEnd = measureStart + spec.measureMs;
  const latencies: number[] = [];
  let requests = 0;
  let errors = 0;
  let firstError: string | null = null;
  let next = 0;
  const cpuAtStart = sleep(spec.warmupMs).then(() => spec.meter.sample());
  const cpuAtEnd = sleep(spec.warmupMs + spec.measureMs).then(() => spec.meter.sample());

  const worker = async () => {
    while (performance.now() < measureEnd) {
      const body = spec.bodies[next++ % spec.bodies.length]!;
      const started = performance.now();
      let ok = false;
      try {
        const res = await fetch(spec.url, { method: "POST", headers: spec.headers, body });
        const text = await res.text(); // read whole: the response is part of the cost
        ok = res.status === 202;
        if (!ok) firstError ??= `${res.status} ${text.slice(0, 300)}`;
      } catch (error) {
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      const ended = performance.now();
      if (ok) spec.onAccepted(spec.recordsPerRequest);
      if (ended < measureStart || ended > measureEnd) continue;
      if (!ok) {
        errors++;
        continue;
      }
      requests++;
      latencies.push(ended - started);
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  latencies.sort((a, b) => a - b);
  const records = requests * spec.recordsPerRequest;
  return {
    endpoint: new URL(spec.url).pathname,
    recordsPerRequest: spec.recordsPerRequest,
    concurrency: spec.concurrency,
    seconds: spec.measureMs / 1000,
    requests,
    recordsPerSec: records / (spec.measureMs / 1000),
    requestP50Ms: percentile(latencies, 50),
    requestP95Ms: percentile(latencies, 95),
    errors,
    firstError,
    cpuPer1k: cpuPer1k(await cpuAtStart, await cpuAtEnd, records),
  };
}

async function countRecords(databaseUrl: string): Promise<number> {
  // The server may still be finishing a request whose answer the client stopped waiting for.
  await sleep(200);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>("select count(*) as n from records");
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}
