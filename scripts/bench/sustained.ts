// Ingest at full speed with the pipeline running (issue 7): the server runs as a child process
// with PIPELINE=on (sealer and anchorer in it, in-process Hardhat chain), the load generator keeps
// `concurrency` batch requests of 1,000 records in flight for `seconds`, and the database is
// sampled every second for accepted, sealed and final counts, so the unsealed backlog can be
// watched over time. After the load stops, the run waits for every record to be final and reads
// accept→final per record from the database, bytes per record, and GET receipt req/s.
//
// Sealing capacity is measured apart, on a database of its own: records are inserted through
// notarize() (the API's code) with nothing sealing, then sealBatch() runs back to back.
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { settledSequence } from "../../src/pipeline/settled.ts";
import { notarize } from "../../src/records/notarize.ts";
import { MAX_BATCH_RECORDS } from "../../src/schemas/records.ts";
import { openProbe, receiptRate, type BytesPerRecord, type Progress, type ReceiptRate } from "./pipeline-probe.ts";
import { startBenchServer } from "./server.ts";
import { freshDatabase, sampleRecord, sleep } from "./support.ts";

export interface SustainedResult {
  seconds: number;
  batchMax: number;
  batchIntervalMs: number;
  samples: Progress[];
  acceptedPerSec: number;
  sealedPerSec: number;
  maxBacklog: number;
  /** Backlog at the end of the load, and the most it reached in the last half of the run. */
  backlogAtEnd: number;
  maxBacklogSecondHalf: number;
  drainedMs: number | null;
  final: { records: number; p50Ms: number; p95Ms: number; maxMs: number };
  bytes: BytesPerRecord;
  receipts: ReceiptRate;
  errors: number;
}

export interface SustainedOptions {
  serverUrl: string;
  seconds?: number;
  concurrency?: number;
}

const DRAIN_TIMEOUT_MS = 120_000;

export async function benchSustained(options: SustainedOptions): Promise<SustainedResult> {
  const seconds = options.seconds ?? 120;
  const concurrency = options.concurrency ?? 3;
  const config = loadConfig({});
  const database = await freshDatabase(options.serverUrl);
  const server = await startBenchServer(database.url, { PIPELINE: "on", LOG_LEVEL: "warn" });
  const probe = await openProbe(database.url as string);
  try {
    const headers = { authorization: `Bearer ${server.token}`, "content-type": "application/json" };
    const bodies = Array.from({ length: 4 }, (_, b) =>
      JSON.stringify({ records: Array.from({ length: MAX_BATCH_RECORDS }, (_, i) => sampleRecord(b * MAX_BATCH_RECORDS + i)) }),
    );
    const samples: Progress[] = [await probe.progress()];
    let errors = 0;
    let next = 0;
    const loadEnd = performance.now() + seconds * 1000;
    const worker = async () => {
      while (performance.now() < loadEnd) {
        try {
          const res = await fetch(`${server.url}/v1/records/batch`, { method: "POST", headers, body: bodies[next++ % bodies.length]! });
          await res.arrayBuffer();
          if (res.status !== 202) errors++;
        } catch {
          errors++;
          await sleep(50);
        }
      }
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await sleep(1_000);
        samples.push(await probe.progress());
      }
    })();
    await Promise.all(Array.from({ length: concurrency }, worker));
    sampling = false;
    await sampler;
    const atEnd = await probe.progress();

    const drainStart = performance.now();
    let drainedMs: number | null = null;
    while (performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
      const p = await probe.progress();
      if (p.final >= p.accepted) {
        drainedMs = performance.now() - drainStart;
        break;
      }
      await sleep(250);
    }

    const backlog = (s: Progress) => s.accepted - s.sealed;
    const secondHalf = samples.slice(Math.floor(samples.length / 2));
    const first = samples[0]!;
    const elapsed = (atEnd.atMs - first.atMs) / 1000;
    const ids = await probe.recordIds(2_000);
    return {
      seconds,
      batchMax: config.BATCH_MAX,
      batchIntervalMs: config.BATCH_INTERVAL_MS,
      samples: [...samples, atEnd],
      acceptedPerSec: (atEnd.accepted - first.accepted) / elapsed,
      sealedPerSec: (atEnd.sealed - first.sealed) / elapsed,
      maxBacklog: Math.max(...samples.map(backlog)),
      backlogAtEnd: backlog(atEnd),
      maxBacklogSecondHalf: Math.max(...secondHalf.map(backlog)),
      drainedMs,
      final: await probe.acceptToFinal(),
      bytes: await probe.bytesPerRecord(),
      receipts: await receiptRate(server.url, server.token, ids),
      errors,
    };
  } finally {
    await probe.close();
    await server.stop();
    await database.drop();
  }
}

export interface SealCapacity {
  records: number;
  batches: number;
  batchMax: number;
  perSec: number;
  msPerBatch: number[];
}

/** Records sealed per second when sealing is all there is to do: `records` waiting, sealed in batches of `batchMax`. */
export async function benchSealCapacity(serverUrl: string, records = 200_000, batchMax = 10_000): Promise<SealCapacity> {
  const fresh = await freshDatabase(serverUrl);
  const database = await openDatabase(loadConfig({ DATABASE_URL: fresh.url, LOG_LEVEL: "silent" }));
  try {
    const db = database.db;
    await migrateToLatest(db);
    const merchant = await createMerchant(db, "Bench Seal Shop");
    const principal = await issueApiKey(db, { role: "merchant", merchantId: merchant.id });
    for (let i = 0; i < records; i += MAX_BATCH_RECORDS) {
      await notarize(db, principal, Array.from({ length: MAX_BATCH_RECORDS }, (_, k) => sampleRecord(i + k)), { field: (_i, f) => f });
    }
    const settled = settledSequence();
    const msPerBatch: number[] = [];
    const start = performance.now();
    for (;;) {
      const t0 = performance.now();
      const batch = await sealBatch(db, batchMax, settled);
      if (!batch) break;
      msPerBatch.push(performance.now() - t0);
    }
    const seconds = (performance.now() - start) / 1000;
    return { records, batches: msPerBatch.length, batchMax, perSec: records / seconds, msPerBatch };
  } finally {
    await database.close();
    await fresh.drop();
  }
}
