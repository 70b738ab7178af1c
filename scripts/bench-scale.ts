// npm run bench:scale [-- --records=2000000] (not in CI; loads the machine for minutes): does
// sealing stay flat as the table grows? Needs DATABASE_URL (a fresh database is created on that
// server and dropped after).
//
// The server runs as a child process with PIPELINE=off and takes POST /v1/records/batch
// (1,000 records a request, 3 in flight) until `records` are accepted. This process runs the
// sealer beside it, the very loop the pipeline runs (sealIsDue every 50 ms, then sealBatch, one
// settledSequence across polls), timing every call; the anchorer is left out (it does not touch
// records). Every 100,000 records it prints the ingest rate, the backlog, the time of the
// sealer's timer check and of each seal; receipts are fetched at the start and the end; at the
// end come bytes per record and EXPLAIN (ANALYZE, BUFFERS) of the timer queries on the full,
// never vacuumed table.
import { loadConfig, safeUrlHost } from "../src/config.ts";
import { openDatabase } from "../src/db/connect.ts";
import { oldestWaiting, sealBatch, sealedThrough, sealIsDue, waitingIn } from "../src/pipeline/sealer.ts";
import { settledSequence } from "../src/pipeline/settled.ts";
import { MAX_BATCH_RECORDS } from "../src/schemas/records.ts";
import { openProbe, receiptRate } from "./bench/pipeline-probe.ts";
import { startBenchServer } from "./bench/server.ts";
import { durabilitySettings, fmt, freshDatabase, percentile, sampleRecord, sleep } from "./bench/support.ts";

const STEP = 100_000;
const SEAL_POLL_MS = 50;
const line = (text = "") => console.log(text);

const serverUrl = process.env["DATABASE_URL"];
if (!serverUrl) {
  console.error("bench:scale needs DATABASE_URL=postgres://… (PostgreSQL; a fresh database is created there and dropped after)");
  process.exit(2);
}
const target = Number(process.argv.find((a) => a.startsWith("--records="))?.slice("--records=".length) ?? 2_000_000);

const fresh = await freshDatabase(serverUrl);
const config = loadConfig({ DATABASE_URL: fresh.url, LOG_LEVEL: "silent", DATABASE_POOL_SIZE: "2" });
const server = await startBenchServer(fresh.url, { PIPELINE: "off", LOG_LEVEL: "warn" });
const database = await openDatabase(config);
const probe = await openProbe(fresh.url as string);
const db = database.db;
const policy = { batchMax: config.BATCH_MAX, intervalMs: config.BATCH_INTERVAL_MS };

line(`Tracemark bench:scale — ${fmt(target)} records into PostgreSQL at ${safeUrlHost(serverUrl)} (${await durabilitySettings(serverUrl)})`);
line(`BATCH_MAX=${fmt(policy.batchMax)}, BATCH_INTERVAL_MS=${fmt(policy.intervalMs)}; autovacuum ${(await probe.query<{ a: string }>("select current_setting('autovacuum') as a"))[0]?.a}`);

interface Timing {
  at: number;
  ms: number;
}
const checks: Timing[] = [];
const seals: (Timing & { size: number })[] = [];
let sealing = true;
const settled = settledSequence();
const sealer = (async () => {
  while (sealing) {
    const t0 = performance.now();
    const due = await sealIsDue(db, policy, settled);
    checks.push({ at: t0, ms: performance.now() - t0 });
    if (!due) {
      await sleep(SEAL_POLL_MS);
      continue;
    }
    const t1 = performance.now();
    const batch = await sealBatch(db, policy.batchMax, settled);
    if (batch) seals.push({ at: t1, ms: performance.now() - t1, size: batch.treeSize });
  }
})();

const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
const bodies = Array.from({ length: 4 }, (_, b) => JSON.stringify({ records: Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => sampleRecord(b * MAX_BATCH_RECORDS + i)) }));
let accepted = 0;
let next = 0;
let errors = 0;

async function receipts(label: string): Promise<void> {
  const ids = await probe.recordIds(500);
  const r = await receiptRate(server.url, server.token, ids, { concurrency: 16, ms: 3_000 });
  line(`receipts ${label}: ${fmt(r.perSec)} GET/s, p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms over ${fmt(ids.length)} records spread over the table (${r.errors} errors)`);
}

const summarise = (list: { ms: number }[]) => {
  const ms = list.map((x) => x.ms).sort((a, b) => a - b);
  return ms.length ? `${fmt(percentile(ms, 50), 1)} / ${fmt(percentile(ms, 95), 1)} / ${fmt(ms.at(-1)!, 1)} ms` : "—";
};

try {
  line(`\n${"records".padStart(9)}  ${"ingest rec/s".padStart(12)}  ${"backlog".padStart(8)}  ${"timer check p50 / p95 / max".padStart(28)}  ${"seals".padStart(5)}  ${"seal time p50 / p95 / max".padStart(28)}  ${"sealed rec/s in seal".padStart(20)}`);
  let stepStart = performance.now();
  let stepChecks = 0;
  let stepSeals = 0;
  let receiptsAtStart = false;
  const worker = async () => {
    while (accepted < target) {
      try {
        const res = await fetch(`${server.url}/v1/records/batch`, { method: "POST", headers, body: bodies[next++ % bodies.length]! });
        await res.arrayBuffer();
        if (res.status === 202) accepted += MAX_BATCH_RECORDS;
        else errors++;
      } catch {
        errors++;
        await sleep(50);
      }
    }
  };
  const reporter = (async () => {
    let reported = 0;
    while (reported < target) {
      await sleep(100);
      if (accepted < reported + STEP) continue;
      reported += STEP;
      const now = performance.now();
      const rate = STEP / ((now - stepStart) / 1000);
      const p = await probe.progress();
      const c = checks.slice(stepChecks);
      const s = seals.slice(stepSeals);
      stepChecks = checks.length;
      stepSeals = seals.length;
      const sealedPerSec = s.reduce((n, x) => n + x.size, 0) / (s.reduce((n, x) => n + x.ms, 0) / 1000);
      line(`${fmt(reported).padStart(9)}  ${fmt(rate).padStart(12)}  ${fmt(p.accepted - p.sealed).padStart(8)}  ${summarise(c).padStart(28)}  ${String(s.length).padStart(5)}  ${summarise(s).padStart(28)}  ${(s.length ? fmt(sealedPerSec) : "—").padStart(20)}`);
      stepStart = now;
      if (!receiptsAtStart) {
        receiptsAtStart = true;
        await receipts(`at ${fmt(reported)}`);
        stepStart = performance.now();
      }
    }
  })();
  const loadStart = performance.now();
  await Promise.all([...Array.from({ length: 3 }, worker), reporter]);
  const loadSeconds = (performance.now() - loadStart) / 1000;
  line(`\n${fmt(accepted)} records accepted in ${fmt(loadSeconds, 1)} s (${fmt(accepted / loadSeconds)} records/s including the receipt pause; ${errors} request errors)`);

  const drainStart = performance.now();
  while ((await probe.progress()).sealed < accepted && performance.now() - drainStart < 300_000) await sleep(200);
  const drained = await probe.progress();
  line(`backlog sealed ${fmt(performance.now() - drainStart)} ms after the load stopped (${fmt(drained.sealed)} of ${fmt(drained.accepted)} sealed)`);
  sealing = false;
  await sealer;
  const all = seals.map((s) => s.ms).sort((a, b) => a - b);
  line(`seals: ${seals.length} batches; seal time first 10 / last 10 batches: ${summarise(seals.slice(0, 10))} / ${summarise(seals.slice(-10))}; all p50 ${fmt(percentile(all, 50), 1)} ms`);
  line(`timer check (sealIsDue) first 200 / last 200: ${summarise(checks.slice(0, 200))} / ${summarise(checks.slice(-200))}`);
  await receipts(`at ${fmt(accepted)}`);

  const bytes = await probe.bytesPerRecord();
  line(
    `\nbytes per record at ${fmt(bytes.records)} records, all sealed: ${fmt(bytes.perRecord)} ` +
      `(records heap ${fmt(bytes.recordsHeap)} + indexes ${fmt(bytes.recordsIndexes)} + batches and leaves ${fmt(bytes.batchStorage, 1)})`,
  );
  const [dead] = await probe.query<{ dead: string; vacuums: string }>(
    "select n_dead_tup as dead, vacuum_count + autovacuum_count as vacuums from pg_stat_user_tables where relname = 'records'",
  );
  line(`records: ${fmt(Number(dead?.dead ?? 0))} dead tuples, ${dead?.vacuums ?? "?"} vacuums`);

  // The timer queries with some records waiting: insert one more request's worth, unsealed.
  const res = await fetch(`${server.url}/v1/records/batch`, { method: "POST", headers, body: bodies[0]! });
  await res.arrayBuffer();
  const from = await sealedThrough(db);
  const through = await settled.through(db);
  for (const [what, query] of [
    ["oldest waiting record", oldestWaiting(from)],
    [`the next batch's records (at most ${fmt(policy.batchMax)} seqs)`, waitingIn(from, Math.min(through, from + policy.batchMax))],
  ] as const) {
    const compiled = query.compile(db);
    const text = compiled.sql.replace(/\$(\d+)/g, (_, n: string) => String(compiled.parameters[Number(n) - 1]));
    const plan = await probe.query<{ "QUERY PLAN": string }>(`explain (analyze, buffers) ${text}`);
    line(`\nEXPLAIN (ANALYZE, BUFFERS): ${what}, ${fmt(bytes.records)} records of which ${fmt(from)} sealed, never vacuumed`);
    for (const row of plan) line(`  ${row["QUERY PLAN"]}`);
  }
} finally {
  sealing = false;
  await sealer.catch(() => {});
  await probe.close();
  await database.close();
  await server.stop();
  await fresh.drop();
}
