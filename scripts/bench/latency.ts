// Accept → anchored: records go in through POST /v1/records at a steady rate while the pipeline
// (sealer + anchorer, src/pipeline/pipeline.ts) runs against the same database and the chain.
// For every record the delay is read from the database afterwards, anchored_at of its batch
// (found as the service finds it: src/records/proofs.ts withBatchSql, a seq range since migration
// 004) minus its own accepted_at: both are stamped at the moment of the transition, so the figure
// needs no client-side clock and no polling resolution.
import { sql } from "kysely";
import { buildApp } from "../../src/app.ts";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import type { ChainHandle } from "../../src/chain/connect.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/connect.ts";
import type { Db } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { withBatchSql } from "../../src/records/proofs.ts";
import { percentile, quietLog, sampleRecord, sleep } from "./support.ts";

export interface LatencyResult {
  batchIntervalMs: number;
  ratePerSec: number;
  seconds: number;
  records: number;
  /** Records whose batch was not anchored when the bench stopped waiting. */
  notAnchored: number;
  batches: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  sendErrors: number;
}

export interface LatencyOptions {
  /** Fresh database for the run; undefined: an in-memory PGlite in this process. */
  databaseUrl: string | undefined;
  chain: ChainHandle;
  ratePerSec?: number;
  seconds?: number;
}

const DRAIN_TIMEOUT_MS = 20_000;
const MAX_IN_FLIGHT = 32;

export async function benchLatency(options: LatencyOptions): Promise<LatencyResult> {
  // The service's own defaults (BATCH_INTERVAL_MS=2000, CHAIN_POLL_MS=500, ...) unless the
  // environment sets them; the database is the bench's.
  const config = loadConfig({
    ...pick(process.env, ["BATCH_INTERVAL_MS", "BATCH_MAX", "CHAIN_POLL_MS", "CONFIRMATIONS", "DATABASE_POOL_SIZE"]),
    LOG_LEVEL: "silent",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  });
  const database = await openDatabase(config);
  const ratePerSec = options.ratePerSec ?? 100;
  const seconds = options.seconds ?? 12;
  try {
    await migrateToLatest(database.db);
    const merchant = await createMerchant(database.db, "Bench Live Shop");
    const key = await issueApiKey(database.db, { role: "merchant", merchantId: merchant.id });
    const app = await buildApp({ config, database, chain: options.chain });
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const pipeline = startPipeline(config, database, options.chain, quietLog);
    let sendErrors = 0;
    try {
      const headers = { authorization: `Bearer ${key.token}`, "content-type": "application/json" };
      sendErrors = await sendSteadily(`${url}/v1/records`, headers, ratePerSec, seconds * 1000);
      await drained(database.db);
    } finally {
      await pipeline.stop();
      await app.close();
    }

    const { rows } = await sql<{ ms: number | null }>`
      select extract(epoch from (x.b_anchored_at - x.accepted_at)) * 1000 as ms from (${withBatchSql}) as x`.execute(database.db);
    const delays = rows.filter((r) => r.ms !== null).map((r) => Number(r.ms)).sort((a, b) => a - b);
    const { rows: batchRows } = await sql<{ n: string }>`select count(*) as n from batches where anchored_at is not null`.execute(database.db);
    return {
      batchIntervalMs: config.BATCH_INTERVAL_MS,
      ratePerSec,
      seconds,
      records: rows.length,
      notAnchored: rows.length - delays.length,
      batches: Number(batchRows[0]?.n ?? 0),
      p50Ms: percentile(delays, 50),
      p95Ms: percentile(delays, 95),
      maxMs: delays.at(-1) ?? NaN,
      sendErrors,
    };
  } finally {
    await database.close();
  }
}

/** One record every 1/rate s, on a fixed schedule (a slow answer does not delay the next send). */
async function sendSteadily(url: string, headers: Record<string, string>, ratePerSec: number, durationMs: number): Promise<number> {
  const start = performance.now();
  const total = Math.round((ratePerSec * durationMs) / 1000);
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerSec;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const sent = fetch(url, { method: "POST", headers, body: JSON.stringify(sampleRecord(i)) })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 202) errors++;
      })
      .catch(() => void errors++)
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  }
  await Promise.all(inFlight);
  return errors;
}

/** Waits until every record's batch is anchored (or DRAIN_TIMEOUT_MS passes). */
async function drained(db: Db): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { rows } = await sql<{ n: string }>`select count(*) as n from (${withBatchSql}) as x where x.b_anchored_at is null`.execute(db);
    if (Number(rows[0]?.n ?? 1) === 0) return;
    await sleep(200);
  }
}

function pick(env: NodeJS.ProcessEnv, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) if (env[name]) out[name] = env[name];
  return out;
}
