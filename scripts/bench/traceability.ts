// Issue 8's traceability figures, against the real service in a child process on PostgreSQL:
//
//   1. EPCIS capture: 20,000 ObjectEvents in capture documents of the largest size allowed
//      (MAX_CAPTURE_EVENTS), sent at once, from the POSTs to /epcis/capture to the last capture job's success,
//      i.e. durable in PostgreSQL (records, payloads, event index rows). Target >= 5,000 events/s.
//   2. Serial generation: one items job of 100,000 items (each a random serial and a public record),
//      from the POST to the job's success. Target <= 10 s.
//   3. History JSON: GET /v1/trace for an item with 20 events at 16, 32 and 64 requests in flight
//      (slo.ts says why), keep-alive, no pipelining (the load generator of scripts/bench/single.ts:
//      wrk, else undici). Target >= 3,000 req/s at p99 <= 20 ms.
//
// The pipeline seals and anchors while the service is loaded (the honest figure; --trace-pipeline=off
// measures without it); before the history is measured it has drained, so the item's records
// carry their proofs and anchors, as a scanned item's do. Beside each rate: CPU of the server and of
// the database backends per unit of work, from /proc, which moves much less with other load.
import pg from "pg";
import { gs1CheckDigit } from "../../src/gs1/index.ts";
import { MAX_CAPTURE_EVENTS } from "../../src/trace/events/plan.ts";
import { adminKeyOn, startBenchServer, type BenchServer } from "./server.ts";
import { atLatencyTarget, SLO_CONCURRENCIES, sloVerdict, type SloResult } from "./slo.ts";
import { cpuLine, cpuMeter, load, rateLine, type CpuMeter } from "./single.ts";
import { sleep } from "./support.ts";

export const CAPTURE_TARGET = 5_000;
export const SERIALS_TARGET_S = 10;
export const HISTORY_TARGET = { perSec: 3_000, p99Ms: 20 };

const PREFIX = "9527300";
const CAPTURE_EVENTS = 20_000;
const SERIALS = 100_000;
const HISTORY_EVENTS = 20;

export interface CaptureResult { events: number; documents: number; seconds: number; perSec: number; stored: number; rowsInDatabase: number; cpuPer1k: CpuPer1k }
export interface SerialsResult { items: number; seconds: number; cpuPer1k: CpuPer1k }
export interface CpuPer1k { server: number | null; database: number | null }
export interface TraceabilityResult { pipeline: string; capture: CaptureResult; serials: SerialsResult; history: SloResult & { timeline: number; drainedMs: number | null; transactionsPerRequest: number } }

// EPCIS 2.0 documents (EPCIS 2.0 §10.2, JSON-LD) and the identifiers in them (GS1 TDS 2.1 §6.3.1).
const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
const epcisDocument = (events: object[]) => ({ "@context": [EPCIS_CONTEXT], type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-01-01T00:00:00.000Z", epcisBody: { eventList: events } });
const gtin13 = (n: number) => ((body) => body + gs1CheckDigit(body))(PREFIX + String(n).padStart(12 - PREFIX.length, "0"));
const sgtin = (gtin: string, serial: string) => `urn:epc:id:sgtin:${gtin.slice(0, 7)}.0${gtin.slice(7, 12)}.${serial}`;
const site = { id: `urn:epc:id:sgln:${PREFIX}.00001.0` };
const objectEvent = (epc: string, at: number, bizStep: string, disposition: string) => ({
  type: "ObjectEvent", eventTime: new Date(at).toISOString(), eventTimeZoneOffset: "+08:00", epcList: [epc], action: bizStep === "commissioning" ? "ADD" : "OBSERVE",
  bizStep, disposition, readPoint: site, bizLocation: site,
});

export async function benchTraceability(options: { databaseUrl: string; pipeline?: "on" | "off" }): Promise<TraceabilityResult> {
  const pipeline = options.pipeline ?? "on";
  const server = await startBenchServer(options.databaseUrl, { PIPELINE: pipeline, LOG_LEVEL: "warn", PUBLIC_RATE_LIMIT: "1000000000" });
  const meter = await cpuMeter(server.pid, options.databaseUrl);
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const api = client(server);
    const { merchantId } = await api<{ merchantId: string }>(200, "GET", "/v1/me");
    await client(server, await adminKeyOn(options.databaseUrl))(201, "POST", `/v1/admin/merchants/${merchantId}/prefixes`, { prefix: PREFIX });

    const capture = await benchCapture(api, meter, db);
    await drained(db, pipeline);
    const serials = await benchSerials(api, meter);
    const history = await benchHistory(server, api, meter, db, pipeline);
    return { pipeline, capture, serials, history };
  } finally {
    await db.end();
    await meter.close();
    await server.stop();
  }
}

type Api = <T>(status: number, method: string, path: string, body?: unknown) => Promise<T>;

function client(server: BenchServer, token = server.token): Api {
  return async <T>(status: number, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": path === "/epcis/capture" ? "application/ld+json" : "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, not ${status}: ${text.slice(0, 500)}`);
    return JSON.parse(text) as T;
  };
}

/** Captures a document and waits for its capture job; resolves with the events it stored. */
async function captured(api: Api, document: object): Promise<number> {
  const { captureID } = await api<{ captureID: string }>(202, "POST", "/epcis/capture", document);
  for (;;) {
    const job = await api<{ running: boolean; success: boolean; stored: number; errors: string[] }>(200, "GET", `/epcis/capture/${captureID}`);
    if (!job.running) {
      if (!job.success) throw new Error(`capture ${captureID} failed: ${job.errors.join("; ")}`);
      return job.stored;
    }
    await sleep(20);
  }
}

const cpuPer1k = (start: Awaited<ReturnType<CpuMeter["sample"]>>, end: Awaited<ReturnType<CpuMeter["sample"]>>, units: number): CpuPer1k => {
  let database: number | null = null;
  if (start.database && end.database) {
    database = 0;
    for (const [pid, ms] of end.database) database += ms - (start.database.get(pid) ?? 0);
  }
  return {
    server: start.server === null || end.server === null ? null : ((end.server - start.server) * 1000) / units,
    database: database === null ? null : (database * 1000) / units,
  };
};

async function benchCapture(api: Api, meter: CpuMeter, db: pg.Client): Promise<CaptureResult> {
  const gtin = gtin13(1);
  // The first capture warms the route (its response serializer, the JIT): not counted. The EPCIS
  // schema itself is compiled while the server starts (src/routes/epcis-capture.ts).
  await captured(api, epcisDocument([objectEvent(sgtin(gtin, "WARM"), Date.UTC(2025, 11, 31), "commissioning", "active")]));
  const documents: object[] = [];
  for (let first = 0; first < CAPTURE_EVENTS; first += MAX_CAPTURE_EVENTS) {
    const count = Math.min(MAX_CAPTURE_EVENTS, CAPTURE_EVENTS - first);
    documents.push(epcisDocument(Array.from({ length: count }, (_, i) => objectEvent(sgtin(gtin, `C${first + i}`), Date.UTC(2026, 0, 1) + (first + i) * 1_000, "commissioning", "active"))));
  }
  const cpuStart = await meter.sample();
  const started = performance.now();
  // Both documents at once, as two sites sending their day's events would: each capture job
  // writes its chunks one after the other, so one document alone leaves a core idle.
  const stored = (await Promise.all(documents.map((document) => captured(api, document)))).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuPer1k(cpuStart, await meter.sample(), CAPTURE_EVENTS);
  const { rows } = await db.query<{ n: string }>("select count(*) as n from epcis_events");
  return { events: CAPTURE_EVENTS, documents: documents.length, seconds, perSec: CAPTURE_EVENTS / seconds, stored, rowsInDatabase: Number(rows[0]!.n) - 1, cpuPer1k: cpu };
}

async function benchSerials(api: Api, meter: CpuMeter): Promise<SerialsResult> {
  const gtin = gtin13(2);
  await api(201, "POST", "/v1/products", { gtin, name: "Bench oolong 100 g" });
  await api(201, "POST", `/v1/products/${gtin}/lots`, { lot: "BULK1" });
  const cpuStart = await meter.sample();
  const started = performance.now();
  const job = await api<{ id: string }>(202, "POST", `/v1/products/${gtin}/lots/BULK1/items`, { count: SERIALS });
  for (;;) {
    const view = await api<{ status: string; errors: string[] }>(200, "GET", `/v1/jobs/${job.id}`);
    if (view.status === "failed") throw new Error(`items job failed: ${view.errors.join("; ")}`);
    if (view.status === "succeeded") break;
    await sleep(20);
  }
  const seconds = (performance.now() - started) / 1000;
  return { items: SERIALS, seconds, cpuPer1k: cpuPer1k(cpuStart, await meter.sample(), SERIALS) };
}

async function benchHistory(server: BenchServer, api: Api, meter: CpuMeter, db: pg.Client, pipeline: string): Promise<TraceabilityResult["history"]> {
  const gtin = gtin13(3);
  await api(201, "POST", "/v1/products", { gtin, name: "Bench pu-erh 357 g" });
  await api(201, "POST", `/v1/products/${gtin}/lots`, { lot: "HOT" });
  const job = await api<{ id: string }>(202, "POST", `/v1/products/${gtin}/lots/HOT/items`, { count: 1 });
  while ((await api<{ status: string }>(200, "GET", `/v1/jobs/${job.id}`)).status !== "succeeded") await sleep(20);
  const [item] = (await api<{ items: Array<{ uri: string }> }>(200, "GET", `/v1/jobs/${job.id}/items`)).items;
  const steps = ["commissioning", "inspecting", "packing", "shipping", "receiving", "storing", "picking", "shipping", "receiving", "stocking"] as const;
  const events = Array.from({ length: HISTORY_EVENTS }, (_, i) => objectEvent(item!.uri, Date.UTC(2026, 1, 1) + i * 3_600_000, steps[i % steps.length]!, "active"));
  await captured(api, epcisDocument(events));
  const drainStarted = performance.now();
  const drainedMs = (await drained(db, pipeline)) ? performance.now() - drainStarted : null;

  const path = `/v1/trace?uri=${encodeURIComponent(item!.uri)}`;
  const first = (await (await fetch(`${server.url}${path}`)).json()) as { timeline: unknown[] };
  // Statements the database ran per request (each an autocommit transaction): how often the
  // history cache went to the database, the fingerprint check included.
  const transactions = async () => Number((await db.query<{ n: string }>("select xact_commit as n from pg_stat_database where datname = current_database()")).rows[0]!.n);
  const transactionsBefore = await transactions();
  const result = await atLatencyTarget(HISTORY_TARGET, SLO_CONCURRENCIES, (concurrency) =>
    load({ what: "GET /v1/trace (history JSON)", concurrency, warmupMs: 1_500, measureMs: 6_000, meter, url: server.url, requests: [{ path, method: "GET", headers: {} }], expected: 200 }),
  );
  const sent = result.runs.reduce((sum, run) => sum + run.sent, 0);
  const perRequest = (await transactions() - transactionsBefore) / Math.max(1, sent);
  return { ...result, timeline: first.timeline.length, drainedMs, transactionsPerRequest: perRequest };
}

/** Waits until every record is sealed and every batch anchored (PIPELINE=on); false if that takes over a minute. */
async function drained(db: pg.Client, pipeline: string): Promise<boolean> {
  if (pipeline === "off") return true;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ unsealed: string; unanchored: string }>(
      `select (select coalesce(max(seq), 0) from records) - coalesce((select sealed_through from seal_progress), 0) as unsealed,
              (select count(*) from batches where status in ('sealed', 'submitted')) as unanchored`,
    );
    if (Number(rows[0]!.unsealed) <= 0 && Number(rows[0]!.unanchored) === 0) return true;
    await sleep(200);
  }
  return false;
}

interface Row { what: string; measured: string; target: string; verdict: string }

const f = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const verdictOf = (pass: boolean) => (pass ? "PASS" : "MISS");
const cpuText = (c: CpuPer1k, unit: string) => `CPU per 1,000 ${unit}: server ${c.server === null ? "n/a" : `${f(c.server, 1)} ms`}, PostgreSQL backends ${c.database === null ? "n/a" : `${f(c.database, 1)} ms`}`;

/** The part's lines for `npm run bench`, its rows for the summary table, and whether every captured event is in the database. */
export function traceabilityReport(r: TraceabilityResult): { lines: string[]; rows: Row[]; durable: boolean } {
  const { capture: c, serials: s, history: h } = r;
  const captureOk = c.perSec >= CAPTURE_TARGET && c.stored === c.events;
  const durable = c.rowsInDatabase === c.events;
  const serialsOk = s.seconds <= SERIALS_TARGET_S;
  const history = sloVerdict(h, HISTORY_TARGET);
  const lines = [
    `pipeline ${r.pipeline} while loaded (sealing and anchoring on the in-process Hardhat chain)`,
    `  EPCIS capture: ${f(c.events)} single-EPC ObjectEvents in ${c.documents} documents of ${f(MAX_CAPTURE_EVENTS)} (the most a capture takes) sent at once, POSTs to the last job's success: ` +
      `${f(c.seconds, 2)} s, ${f(c.perSec)} events/s [target >= ${f(CAPTURE_TARGET)} durable into PostgreSQL] ${verdictOf(captureOk)}`,
    `  ${"".padEnd(14)} ${cpuText(c.cpuPer1k, "events")}; durability check: ${f(c.stored)} stored by the jobs, ${f(c.rowsInDatabase)} rows in epcis_events ${durable ? "(equal)" : "(MISMATCH)"}`,
    `  serial generation: one items job of ${f(s.items)} items, POST to success: ${f(s.seconds, 2)} s (${f(s.items / s.seconds)} items/s) [target <= ${SERIALS_TARGET_S} s] ${verdictOf(serialsOk)}`,
    `  ${"".padEnd(18)} ${cpuText(s.cpuPer1k, "items")}`,
    `  history JSON: GET /v1/trace for an item with ${HISTORY_EVENTS} events (${h.timeline} timeline entries with receipts; ` +
      (r.pipeline === "off" ? "pipeline off: no proofs" : h.drainedMs === null ? "NOT all anchored in time" : `all anchored ${f(h.drainedMs)} ms after the capture`) + `), client ${h.runs[0]?.client ?? "none"}:`,
    ...h.runs.flatMap((run) => [`  ${"".padEnd(13)} ${rateLine(run)}` + (run.firstError ? `\n  first error: ${run.firstError}` : ""), cpuLine(run, 16)]),
    `  ${"".padEnd(13)} ${history.line}; ${f(h.transactionsPerRequest, 2)} database transactions per request`,
  ];
  const rows: Row[] = [
    { what: `EPCIS capture (${f(c.events)} events, ${c.documents} documents of ${f(MAX_CAPTURE_EVENTS)} at once)`, measured: `${f(c.perSec)} events/s`, target: `>= ${f(CAPTURE_TARGET)} events/s (PostgreSQL)`, verdict: verdictOf(captureOk) },
    { what: `serial generation (${f(s.items)} items, one job)`, measured: `${f(s.seconds, 2)} s`, target: `<= ${SERIALS_TARGET_S} s`, verdict: verdictOf(serialsOk) },
    {
      what: `GET /v1/trace, item with ${HISTORY_EVENTS} events, req/s at p99 target`,
      measured: history.measured,
      target: `>= ${f(HISTORY_TARGET.perSec)} req/s, p99 <= ${HISTORY_TARGET.p99Ms} ms`,
      verdict: verdictOf(h.pass),
    },
  ];
  return { lines, rows, durable };
}
