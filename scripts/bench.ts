// npm run bench [-- --only=tree,gas,ingest,latency] [-- --server-cpu-prof=DIR]: measures Tracemark
// against its targets and prints each figure beside its target with PASS or MISS, then a summary
// table. --server-cpu-prof writes a V8 CPU profile of the ingest server process into DIR.
//
//   1. Merkle tree build rate (leaf hashing included) against raw SHA-256 in the same run
//   2. Gas of one anchor transaction, and per record, for batches of 1 to 10,000 records
//   3. Ingest through the HTTP API, single and batch endpoints, into DATABASE_URL (PIPELINE off)
//   4. Accept → anchored delay with the pipeline running (BATCH_INTERVAL_MS, default 2,000)
//   5. Single-record writes at 16 and 64 in flight (req/s, p99), then receipt reads (scripts/bench/single.ts)
//   6. Sealing capacity: records sealed per second with nothing else to do (PostgreSQL only)
//   7. Sustained ingest at full speed WITH the pipeline running (PostgreSQL only; --seconds=N,
//      default 120): accepted/s, sealed/s, the unsealed backlog over time, accept→final
//      p50/p95/max, bytes per record, GET receipt req/s
//   8. Traceability (PostgreSQL only; --trace-pipeline=off to measure without sealing): EPCIS
//      capture events/s, serial generation for 100,000 items, history JSON req/s and p99
//      (scripts/bench/traceability.ts)
//   9. Live-stream segments: notarization lag p95 from a segment appearing in the live playlist to
//      its 202 (ffmpeg in real time, `tracemark stream watch`'s engine; --segments-seconds=N, 30)
//      (scripts/bench/segments.ts)
//  10. Evidence upload (--upload-mb=N, default 1,024): MB/s of one 1 GiB file through
//      POST /v1/evidence/files to each blob driver, and the server's peak RSS against its baseline
//      (scripts/bench/upload.ts)
//  11. Scan page (issue 9): HTML for browsers req/s and p99, and the time Chromium takes to verify
//      a 20-entry history against the chain (scripts/bench/scan.ts; --brief for a one-second run)
//  12. Evidence bundle: a large case (--bundle-bytes, 2 GiB) streamed, server RSS growth (scripts/bench/bundle.ts)
//
// Uses DATABASE_URL when set (a fresh database is created on that server per part and dropped
// after), else PGlite; the chain is always Hardhat's in-process network with a fresh BatchAnchor.
import { availableParallelism, cpus, loadavg } from "node:os";
import { openChain, type ChainHandle } from "../src/chain/connect.ts";
import { loadConfig, safeUrlHost } from "../src/config.ts";
import { benchBundle } from "./bench/bundle.ts";
import { benchGas, type GasRow } from "./bench/gas.ts";
import { benchIngest, type IngestResult, type LoadResult } from "./bench/ingest.ts";
import { benchLatency, type LatencyResult } from "./bench/latency.ts";
import { benchSingle, singleReport } from "./bench/single.ts";
import { durabilitySettings, fmt, freshDatabase, quietLog, verdict } from "./bench/support.ts";
import { benchSegments, SEGMENT_LAG_TARGET_MS } from "./bench/segments.ts";
import { benchScan, scanReport } from "./bench/scan.ts";
import { benchTraceability, traceabilityReport } from "./bench/traceability.ts";
import { benchTree, type TreeBenchResult } from "./bench/tree.ts";
import { benchUpload, UPLOAD_RSS_GROWTH_TARGET_MIB } from "./bench/upload.ts";
import { benchSealCapacity, benchSustained, type SealCapacity, type SustainedResult } from "./bench/sustained.ts";

const PARTS = ["tree", "gas", "ingest", "latency", "single", "seal", "sustained", "trace", "segments", "upload", "scan", "bundle"] as const;
type Part = (typeof PARTS)[number];

const TREE_RATIO_TARGET = 0.4;
const ANCHOR_GAS_TARGET = 60_000n;
const BATCH_INGEST_TARGET = 10_000;
const LATENCY_SLACK_MS = 2_000;
const FINAL_SLACK_MS = 3_000;
const SEAL_TO_INGEST_TARGET = 2;
const BACKLOG_BATCHES_TARGET = 3;
const BYTES_PER_RECORD_TARGET = 1_024;
const RECEIPTS_PER_SEC_TARGET = 2_500;
/** A case bundle streams: the server grows by less than this however large the bundle (issue 11). */
const BUNDLE_RSS_GROWTH_MIB = 128;

interface SummaryRow {
  what: string;
  measured: string;
  target: string;
  verdict: string;
}

const summary: SummaryRow[] = [];
let failed = false;
const line = (text = "") => console.log(text);
const heading = (text: string) => line(`\n== ${text} ${"=".repeat(Math.max(0, 86 - text.length))}`);

function partsToRun(): Set<Part> {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  if (!only) return new Set(PARTS);
  const asked = only.split(",").map((p) => p.trim());
  const unknown = asked.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length) {
    console.error(`unknown part(s) ${unknown.join(", ")}; choose from ${PARTS.join(", ")}`);
    process.exit(2);
  }
  return new Set(asked as Part[]);
}

async function part(name: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  try {
    await run();
  } catch (error) {
    failed = true;
    line(`ERROR in ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    summary.push({ what: name, measured: "error", target: "", verdict: "ERROR" });
  }
  line(`(${name} took ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}

// 1 ----------------------------------------------------------------------------------------------

function reportTree(r: TreeBenchResult): void {
  heading("1. Merkle tree build rate (RFC 9162, leaf hashing included) vs raw SHA-256");
  line(`raw SHA-256, 65-byte input, one-shot hash(..., "buffer") (a Buffer per digest): ${fmt(r.rawSha256PerSec)} hashes/s`);
  line(`raw SHA-256, 65-byte input, string digest (no Buffer; closest to the bare hash):  ${fmt(r.hashOnlyPerSec)} hashes/s`);
  line("A tree of N leaves costs N leaf hashes + N-1 node hashes: a builder with no overhead reaches ratio 0.5.");
  for (const row of r.trees) {
    line(
      `  ${fmt(row.leaves).padStart(7)} leaves: ${fmt(row.leavesPerSec).padStart(9)} leaves/s (${row.ms.toFixed(1)} ms); ratio [target >= ${TREE_RATIO_TARGET}, ideal 0.5] ` +
        `${row.ratio.toFixed(3)} to the Buffer-digest rate ${verdict(row.ratio >= TREE_RATIO_TARGET)}, ` +
        `${row.ratioHashOnly.toFixed(3)} to the string-digest rate ${verdict(row.ratioHashOnly >= TREE_RATIO_TARGET)}`,
    );
  }
  line("(A ratio above 0.5 means the baseline carries a cost the tree avoids: src/merkle/leaf.ts hashes to string digests.)");
  line(`audit paths for all 10,000 leaves of a batch: ${r.auditPaths10kMs.toFixed(1)} ms`);
  const sizes = r.trees.map((t) => fmt(t.leaves)).join(", ");
  const worst = (ratio: (t: TreeBenchResult["trees"][number]) => number) => r.trees.reduce((a, b) => (ratio(b) < ratio(a) ? b : a));
  const byBuffer = worst((t) => t.ratio);
  const byString = worst((t) => t.ratioHashOnly);
  summary.push({
    what: `tree leaves/s ÷ SHA-256 Buffer-digest rate (worst of ${sizes} leaves)`,
    measured: `${byBuffer.ratio.toFixed(3)} (${fmt(byBuffer.leavesPerSec)} ÷ ${fmt(r.rawSha256PerSec)})`,
    target: `>= ${TREE_RATIO_TARGET} (ideal 0.5)`,
    verdict: verdict(byBuffer.ratio >= TREE_RATIO_TARGET),
  });
  summary.push({
    what: `tree leaves/s ÷ SHA-256 string-digest rate (worst of ${sizes} leaves)`,
    measured: `${byString.ratioHashOnly.toFixed(3)} (${fmt(byString.leavesPerSec)} ÷ ${fmt(r.hashOnlyPerSec)})`,
    target: `>= ${TREE_RATIO_TARGET} (ideal 0.5)`,
    verdict: verdict(byString.ratioHashOnly >= TREE_RATIO_TARGET),
  });
}

// 2 ----------------------------------------------------------------------------------------------

function reportGas(rows: GasRow[]): void {
  heading("2. Gas of one anchor transaction, BatchAnchor.anchor(root, treeSize), in-process Hardhat");
  line("Real batches: sample records → envelopes → recordHash → salted leafHash → RFC 9162 tree; the root is anchored");
  line("on a freshly deployed contract (the first row is the contract's first anchor). gasUsed from the receipt.");
  for (const row of rows) {
    const pass = row.gasUsed <= ANCHOR_GAS_TARGET;
    line(
      `  batch of ${fmt(row.batchSize).padStart(6)} records: ${fmt(Number(row.gasUsed)).padStart(7)} gas [target <= ${fmt(Number(ANCHOR_GAS_TARGET))}] ${verdict(pass)}` +
        `   → ${fmt(row.gasPerRecord, row.gasPerRecord < 10 ? 2 : 0).padStart(7)} gas per record (block ${row.blockNumber})`,
    );
  }
  const max = rows.reduce((m, r) => (r.gasUsed > m ? r.gasUsed : m), 0n);
  summary.push({ what: "anchor tx gas (max over batch sizes)", measured: `${fmt(Number(max))} gas`, target: `<= ${fmt(Number(ANCHOR_GAS_TARGET))}`, verdict: verdict(max <= ANCHOR_GAS_TARGET) });
  summary.push({
    what: `gas per record at ${rows.map((r) => fmt(r.batchSize)).join(" / ")}`,
    measured: rows.map((r) => fmt(r.gasPerRecord, r.gasPerRecord < 10 ? 1 : 0)).join(" / "),
    target: "(informative)",
    verdict: "",
  });
}

// 3 ----------------------------------------------------------------------------------------------

function loadLine(r: LoadResult): string {
  const cpu = r.cpuPer1k;
  const ms = (v: number | null) => (v === null ? "n/a" : `${fmt(v, 1)} ms`);
  return (
    `  ${r.endpoint.padEnd(18)} ${fmt(r.recordsPerRequest).padStart(5)} rec/request, ${r.concurrency} in flight, ${r.seconds} s: ` +
    `${fmt(r.recordsPerSec).padStart(7)} records/s (${fmt(r.requests)} requests; latency p50 ${fmt(r.requestP50Ms, 1)} ms, p95 ${fmt(r.requestP95Ms, 1)} ms; ${r.errors} errors)\n` +
    `  ${"".padEnd(18)} CPU per 1,000 records: server ${ms(cpu.server)}, PostgreSQL backends ${ms(cpu.database)}, load generator ${ms(cpu.client)}` +
    (r.firstError ? `\n  first error: ${r.firstError}` : "")
  );
}

async function reportIngest(databaseLabel: string, onPostgres: boolean, durability: string | null, r: IngestResult): Promise<void> {
  heading("3. Ingest through the HTTP API (records/s committed)");
  line(`database: ${databaseLabel}${durability ? ` (${durability})` : ""}`);
  line("server: `node src/server.ts` as a child process on 127.0.0.1 with PIPELINE=off (nothing is sealed or anchored while");
  line(`ingest is measured), LOG_LEVEL=${r.logLevel}; client: fetch (undici), bodies serialised in advance, 1.5 s warm-up, then measured.`);
  line("Each payload is a ~200-byte JSON object (canonicalised and hashed by the server).");
  if (!onPostgres) line("(PGlite runs inside the server process: its CPU time is in the server's figure.)");
  if (r.single) line(loadLine(r.single));
  if (r.batch) {
    line(loadLine(r.batch));
    const pass = r.batch.recordsPerSec >= BATCH_INGEST_TARGET && r.batch.errors === 0;
    line(`  batch endpoint: ${fmt(r.batch.recordsPerSec)} records/s [target >= ${fmt(BATCH_INGEST_TARGET)} durably into PostgreSQL] ${verdict(pass)}${onPostgres ? "" : "  (PGlite: NOT the target's database)"}`);
  }
  if (r.stored !== null) line(`durability check: ${fmt(r.accepted)} records answered 202, ${fmt(r.stored)} rows in the database ${r.accepted === r.stored ? "(equal)" : "(MISMATCH)"}`);
  if (r.single) summary.push({ what: "ingest POST /v1/records (1 rec/request)", measured: `${fmt(r.single.recordsPerSec)} rec/s`, target: "(informative)", verdict: "" });
  if (r.batch) {
    summary.push({
      what: `ingest POST /v1/records/batch (1,000/request)${onPostgres ? "" : " [PGlite!]"}`,
      measured: `${fmt(r.batch.recordsPerSec)} rec/s`,
      target: `>= ${fmt(BATCH_INGEST_TARGET)} rec/s (PostgreSQL)`,
      verdict: onPostgres ? verdict(r.batch.recordsPerSec >= BATCH_INGEST_TARGET && r.batch.errors === 0) : `${verdict(r.batch.recordsPerSec >= BATCH_INGEST_TARGET)} (PGlite)`,
    });
  }
  if (r.stored !== null && r.stored !== r.accepted) failed = true;
}

// 4 ----------------------------------------------------------------------------------------------

function reportLatency(databaseLabel: string, r: LatencyResult): void {
  heading("4. Accept → anchored (batch anchored_at − record accepted_at, from the database)");
  const target = r.batchIntervalMs + LATENCY_SLACK_MS;
  line(`database: ${databaseLabel}; chain: in-process Hardhat (automine); pipeline: startPipeline in the bench process`);
  line(`BATCH_INTERVAL_MS=${fmt(r.batchIntervalMs)}; ${fmt(r.ratePerSec)} records/s through POST /v1/records for ${r.seconds} s`);
  line(`  ${fmt(r.records)} records in ${fmt(r.batches)} anchored batches (${r.notAnchored} not anchored in time, ${r.sendErrors} send errors)`);
  const pass = r.p95Ms <= target && r.notAnchored === 0;
  line(`  p50 ${fmt(r.p50Ms)} ms, p95 ${fmt(r.p95Ms)} ms, max ${fmt(r.maxMs)} ms  [target p95 <= BATCH_INTERVAL_MS + 2 s = ${fmt(target)} ms] ${verdict(pass)}`);
  summary.push({ what: "accept → anchored p95 (p50 / max)", measured: `${fmt(r.p95Ms)} ms (${fmt(r.p50Ms)} / ${fmt(r.maxMs)})`, target: `<= ${fmt(target)} ms`, verdict: verdict(pass) });
}

// 5 ----------------------------------------------------------------------------------------------

function reportSealCapacity(r: SealCapacity): void {
  heading("5. Sealing capacity (records sealed per second, nothing else running in the bench)");
  line(`${fmt(r.records)} records inserted through notarize(), then sealBatch() back to back in batches of ${fmt(r.batchMax)} (no record is written to)`);
  const sorted = [...r.msPerBatch].sort((a, b) => a - b);
  line(`  ${fmt(r.perSec)} records/s; per batch: min ${fmt(sorted[0] ?? NaN)} ms, median ${fmt(sorted[Math.floor(sorted.length / 2)] ?? NaN)} ms, max ${fmt(sorted.at(-1) ?? NaN)} ms`);
  summary.push({ what: `sealing capacity (batches of ${fmt(r.batchMax)})`, measured: `${fmt(r.perSec)} rec/s`, target: "(see sealed ÷ accepted below)", verdict: "" });
}

// 6 ----------------------------------------------------------------------------------------------

function reportSustained(r: SustainedResult, capacity: SealCapacity | null): void {
  heading("6. Sustained ingest with the pipeline running (server child process, PIPELINE=on)");
  line(`POST /v1/records/batch (1,000 records a request, 3 in flight) for ${r.seconds} s; BATCH_MAX=${fmt(r.batchMax)}, BATCH_INTERVAL_MS=${fmt(r.batchIntervalMs)}; in-process Hardhat chain`);
  line("  t (s)   accepted/s   sealed/s   backlog (accepted − sealed)   final");
  const every = Math.max(1, Math.round(r.samples.length / 24));
  for (let i = every; i < r.samples.length; i += every) {
    const a = r.samples[i - every]!;
    const b = r.samples[i]!;
    const dt = (b.atMs - a.atMs) / 1000;
    line(`  ${fmt(b.atMs / 1000).padStart(5)}   ${fmt((b.accepted - a.accepted) / dt).padStart(10)}   ${fmt((b.sealed - a.sealed) / dt).padStart(8)}   ${fmt(b.accepted - b.sealed).padStart(27)}   ${fmt(b.final).padStart(9)}`);
  }
  line(`  accepted ${fmt(r.acceptedPerSec)} records/s, sealed ${fmt(r.sealedPerSec)} records/s over the run (${r.errors} request errors)`);
  const backlogLimit = BACKLOG_BATCHES_TARGET * r.batchMax;
  const bounded = r.maxBacklogSecondHalf <= backlogLimit && r.backlogAtEnd <= backlogLimit;
  line(`  backlog: max ${fmt(r.maxBacklog)}, max in the second half ${fmt(r.maxBacklogSecondHalf)}, at the end ${fmt(r.backlogAtEnd)} [target <= ${BACKLOG_BATCHES_TARGET} × BATCH_MAX = ${fmt(backlogLimit)}] ${verdict(bounded)}`);
  line(`  every record final ${r.drainedMs === null ? "NOT within the drain timeout" : `${fmt(r.drainedMs)} ms after the load stopped`}`);
  const finalTarget = r.batchIntervalMs + FINAL_SLACK_MS;
  const finalPass = r.final.p95Ms <= finalTarget && r.drainedMs !== null;
  line(`  accept → final over ${fmt(r.final.records)} records: p50 ${fmt(r.final.p50Ms)} ms, p95 ${fmt(r.final.p95Ms)} ms, max ${fmt(r.final.maxMs)} ms [target p95 <= BATCH_INTERVAL_MS + 3 s = ${fmt(finalTarget)} ms] ${verdict(finalPass)}`);
  const b = r.bytes;
  line(`  bytes per record after sealing, ${fmt(b.records)} records: ${fmt(b.perRecord)} (records heap ${fmt(b.recordsHeap)} + indexes ${fmt(b.recordsIndexes)} + batches and leaves ${fmt(b.batchStorage, 1)}) [target <= ${fmt(BYTES_PER_RECORD_TARGET)}] ${verdict(b.perRecord <= BYTES_PER_RECORD_TARGET)}`);
  line(`  GET /v1/records/:id/receipt, 64 in flight, 2,000 sealed records spread over the table: ${fmt(r.receipts.perSec)} req/s (p50 ${fmt(r.receipts.p50Ms, 1)} ms, p99 ${fmt(r.receipts.p99Ms, 1)} ms, ${r.receipts.errors} errors) [target >= ${fmt(RECEIPTS_PER_SEC_TARGET)}] ${verdict(r.receipts.perSec >= RECEIPTS_PER_SEC_TARGET)}`);
  if (capacity) {
    const ratio = capacity.perSec / r.acceptedPerSec;
    summary.push({ what: "sealing capacity ÷ sustained accepted/s", measured: `${ratio.toFixed(2)} (${fmt(capacity.perSec)} ÷ ${fmt(r.acceptedPerSec)})`, target: `>= ${SEAL_TO_INGEST_TARGET}`, verdict: verdict(ratio >= SEAL_TO_INGEST_TARGET) });
  }
  summary.push({ what: "sustained: accepted/s, sealed/s (pipeline on)", measured: `${fmt(r.acceptedPerSec)}, ${fmt(r.sealedPerSec)}`, target: "(informative)", verdict: "" });
  summary.push({ what: "sustained: unsealed backlog, second half / end", measured: `${fmt(r.maxBacklogSecondHalf)} / ${fmt(r.backlogAtEnd)}`, target: `<= ${fmt(backlogLimit)}`, verdict: verdict(bounded) });
  summary.push({ what: "sustained: accept → final p95 (p50 / max)", measured: `${fmt(r.final.p95Ms)} ms (${fmt(r.final.p50Ms)} / ${fmt(r.final.maxMs)})`, target: `<= ${fmt(finalTarget)} ms`, verdict: verdict(finalPass) });
  summary.push({ what: "bytes per record after sealing", measured: fmt(b.perRecord), target: `<= ${fmt(BYTES_PER_RECORD_TARGET)}`, verdict: verdict(b.perRecord <= BYTES_PER_RECORD_TARGET) });
  summary.push({ what: "GET receipt req/s (64 in flight)", measured: `${fmt(r.receipts.perSec)} (p99 ${fmt(r.receipts.p99Ms, 1)} ms)`, target: `>= ${fmt(RECEIPTS_PER_SEC_TARGET)}`, verdict: verdict(r.receipts.perSec >= RECEIPTS_PER_SEC_TARGET) });
}

// ------------------------------------------------------------------------------------------------

function printSummary(): void {
  heading("Summary");
  const cols = [
    Math.max(6, ...summary.map((r) => r.what.length)),
    Math.max(8, ...summary.map((r) => r.measured.length)),
    Math.max(6, ...summary.map((r) => r.target.length)),
  ] as const;
  const row = (a: string, b: string, c: string, d: string) => line(`${a.padEnd(cols[0])} | ${b.padEnd(cols[1])} | ${c.padEnd(cols[2])} | ${d}`);
  row("metric", "measured", "target", "verdict");
  line(`${"-".repeat(cols[0])}-+-${"-".repeat(cols[1])}-+-${"-".repeat(cols[2])}-+--------`);
  for (const r of summary) row(r.what, r.measured, r.target, r.verdict);
}

async function main(): Promise<void> {
  const parts = partsToRun();
  const serverUrl = process.env["DATABASE_URL"] || undefined;
  const databaseLabel = serverUrl ? `PostgreSQL at ${safeUrlHost(serverUrl)} (a fresh database per part, dropped after)` : "PGlite in memory";
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  line(`Tracemark bench — Node ${process.version}, ${availableParallelism()} CPUs (${cpu}), load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
  line(`database: ${databaseLabel}`);
  if (!serverUrl && (parts.has("ingest") || parts.has("latency"))) {
    line("");
    line("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    line("!!! DATABASE_URL is not set: ingest and latency run on PGlite (in-memory, single process).    !!!");
    line("!!! The ingest target is about PostgreSQL; set DATABASE_URL=postgres://... for real figures. !!!");
    line("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
  }

  if (parts.has("tree")) await part("tree", async () => reportTree(await benchTree()));

  let chain: ChainHandle | null = null;
  const theChain = async () => (chain ??= await openChain(loadConfig({ LOG_LEVEL: "silent" }), quietLog));
  try {
    if (parts.has("gas")) await part("gas", async () => reportGas(await benchGas(await theChain())));

    if (parts.has("ingest")) {
      await part("ingest", async () => {
        const durability = serverUrl ? await durabilitySettings(serverUrl) : null;
        const db = await freshDatabase(serverUrl);
        try {
          const profileDir = process.argv.find((a) => a.startsWith("--server-cpu-prof="))?.slice("--server-cpu-prof=".length);
          const serverNodeArgs = profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [];
          await reportIngest(databaseLabel, Boolean(serverUrl), durability, await benchIngest({ databaseUrl: db.url, serverNodeArgs }));
        } finally {
          await db.drop();
        }
      });
    }

    if (parts.has("latency")) {
      await part("latency", async () => {
        const db = await freshDatabase(serverUrl);
        try {
          reportLatency(databaseLabel, await benchLatency({ databaseUrl: db.url, chain: await theChain() }));
        } finally {
          await db.drop();
        }
      });
    }
    if (parts.has("single")) {
      await part("single", async () => {
        const db = await freshDatabase(serverUrl);
        try {
          const profileDir = process.argv.find((a) => a.startsWith("--server-cpu-prof="))?.slice("--server-cpu-prof=".length);
          const pipeline = process.argv.includes("--single-pipeline=off") ? "off" : "on";
          const report = singleReport(await benchSingle({ databaseUrl: db.url, pipeline, serverNodeArgs: profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [] }));
          heading("5. Single-record writes and receipt reads through the HTTP API");
          line(`database: ${databaseLabel}${serverUrl ? ` (${await durabilitySettings(serverUrl)})` : ""}`);
          for (const l of report.lines) line(l);
          summary.push(...report.rows);
          if (!report.durable) failed = true;
        } finally {
          await db.drop();
        }
      });
    }

    let capacity: SealCapacity | null = null;
    if (parts.has("seal") && serverUrl) {
      await part("seal", async () => {
        capacity = await benchSealCapacity(serverUrl);
        reportSealCapacity(capacity);
      });
    }
    if (parts.has("sustained") && serverUrl) {
      const seconds = Number(process.argv.find((a) => a.startsWith("--seconds="))?.slice("--seconds=".length) ?? 120);
      await part("sustained", async () => reportSustained(await benchSustained({ serverUrl, seconds }), capacity));
    }
    if (parts.has("trace") && serverUrl) {
      await part("trace", async () => {
        const db = await freshDatabase(serverUrl);
        try {
          const pipeline = process.argv.includes("--trace-pipeline=off") ? "off" : "on";
          const report = traceabilityReport(await benchTraceability({ databaseUrl: db.url!, pipeline }));
          heading("7. Traceability: EPCIS capture, serial generation, history JSON");
          line(`database: ${databaseLabel} (${await durabilitySettings(serverUrl)})`);
          for (const l of report.lines) line(l);
          summary.push(...report.rows);
          if (!report.durable) failed = true;
        } finally {
          await db.drop();
        }
      });
    }
    if (parts.has("segments")) {
      await part("segments", async () => {
        const db = await freshDatabase(serverUrl);
        try {
          const seconds = Number(process.argv.find((a) => a.startsWith("--segments-seconds="))?.slice("--segments-seconds=".length) ?? 30);
          const r = await benchSegments({ databaseUrl: db.url, seconds });
          heading("9. Live-stream segments: appearing in the playlist → 202");
          line(`database: ${databaseLabel}; ffmpeg test pattern in real time, 1 s HLS segments, ${r.seconds} s; watcher polls every 250 ms, batches of 10`);
          const pass = r.p95Ms <= SEGMENT_LAG_TARGET_MS && r.ended;
          line(`  ${fmt(r.segments)} segments (${fmt(r.bytes)} bytes)${r.ended ? ", stream ended with its final playlist" : ", NOT ended"}: lag p50 ${fmt(r.p50Ms)} ms, p95 ${fmt(r.p95Ms)} ms, max ${fmt(r.maxMs)} ms [target p95 <= ${fmt(SEGMENT_LAG_TARGET_MS)} ms] ${verdict(pass)}`);
          summary.push({ what: "segment notarization lag p95 (p50 / max)", measured: `${fmt(r.p95Ms)} ms (${fmt(r.p50Ms)} / ${fmt(r.maxMs)})`, target: `<= ${fmt(SEGMENT_LAG_TARGET_MS)} ms`, verdict: verdict(pass) });
        } finally {
          await db.drop();
        }
      });
    }
    if (parts.has("scan")) {
      await part("scan", async () => {
        const db = await freshDatabase(serverUrl);
        try {
          const report = scanReport(await benchScan({ databaseUrl: db.url, brief: process.argv.includes("--brief") }));
          heading("11. Scan page: HTML for browsers, and verification in Chromium");
          report.lines.forEach((l) => line(l));
          summary.push(...report.rows);
        } finally {
          await db.drop();
        }
      });
    }
    if (parts.has("bundle")) {
      await part("bundle", async () => {
        const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
        const db = await freshDatabase(serverUrl);
        try {
          const r = await benchBundle({ databaseUrl: db.url, chain: await theChain(), bytes: Number(arg("bundle-bytes") ?? 2 * 1024 ** 3), files: Number(arg("bundle-files") ?? 64) });
          heading("12. Evidence bundle: a large case streamed (scripts/bench/bundle.ts)");
          line(`${r.files} files, ${fmt(r.bytes / 1024 ** 2)} MiB streamed in ${fmt(r.seconds, 1)} s (${fmt(r.mbPerSec)} MiB/s)`);
          line(`server RSS: ${fmt(r.baselineRssMiB)} MiB before, ${fmt(r.peakRssMiB)} MiB at peak: +${fmt(r.growthMiB)} MiB (target: under ${BUNDLE_RSS_GROWTH_MIB} MiB, whatever the size)`);
          summary.push({ what: "bundle RSS growth", measured: `${fmt(r.growthMiB)} MiB for ${fmt(r.bytes / 1024 ** 2)} MiB`, target: `< ${BUNDLE_RSS_GROWTH_MIB} MiB`, verdict: verdict(r.growthMiB < BUNDLE_RSS_GROWTH_MIB) });
        } finally {
          await db.drop();
        }
      });
    }
    if (!serverUrl && (parts.has("seal") || parts.has("sustained") || parts.has("trace"))) line("\n(seal, sustained and trace need DATABASE_URL: skipped)");
    if (parts.has("upload")) {
      await part("upload", async () => {
        const mb = Number(process.argv.find((a) => a.startsWith("--upload-mb="))?.slice("--upload-mb=".length) ?? 1024);
        const db = await freshDatabase(serverUrl);
        try {
          heading(`10. Evidence upload: one ${fmt(mb)} MiB file to each blob driver`);
          for (const r of await benchUpload({ databaseUrl: db.url, bytes: Math.round(mb * 1024 * 1024) })) {
            const growth = r.peakRssMiB - r.baselineRssMiB;
            const flat = growth <= UPLOAD_RSS_GROWTH_TARGET_MIB;
            line(`${r.driver.padEnd(5)} ${fmt(r.mbPerSec, 1)} MB/s (${fmt(r.seconds, 1)} s); server RSS ${fmt(r.baselineRssMiB)} MiB before, ${fmt(r.peakRssMiB)} MiB at peak (+${fmt(growth)}, target <= ${UPLOAD_RSS_GROWTH_TARGET_MIB}) ${verdict(flat)}`);
            summary.push({ what: `upload ${fmt(mb)} MiB, ${r.driver}: MB/s; RSS growth`, measured: `${fmt(r.mbPerSec, 1)}; +${fmt(growth)} MiB`, target: `flat (<= +${UPLOAD_RSS_GROWTH_TARGET_MIB} MiB)`, verdict: verdict(flat) });
            if (!flat) failed = true;
          }
        } finally {
          await db.drop();
        }
      });
    }
  } finally {
    await (chain as ChainHandle | null)?.close();
  }

  printSummary();
  line(`\nload average at the end: ${loadavg().map((l) => l.toFixed(2)).join(" ")} (other work on this machine moves the rates; CPU per record much less)`);
}

await main();
process.exit(failed ? 1 : 0);
