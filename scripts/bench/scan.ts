// The scan page (issue 9), against the real service in a child process, embedded chain (its /rpc
// is what the browser asks):
//
//   1. Scan page HTML: GET an item's Digital Link URI with Accept: text/html (what a phone's
//      browser sends), keep-alive, at 16, 32 and 64 in flight (slo.ts says why). Target >= 2,000
//      req/s at p99 <= 30 ms.
//   2. Browser verification: real Chromium opens the page of an item with a 20-entry history and
//      verifies every entry against the chain (recordHash, leafHash, audit path, anchor, log, block
//      time); from DOMContentLoaded to data-verification="done", median of 5. Target <= 1 s.
//
// `--brief` measures for 1.5 s and verifies twice (to see that the part works, not for figures).
import { launchChromium } from "../lib/chromium.ts";
import { gs1CheckDigit } from "../../src/gs1/index.ts";
import { adminKeyOn, startBenchServer } from "./server.ts";
import { cpuLine, cpuMeter, load, rateLine } from "./single.ts";
import { atLatencyTarget, SLO_CONCURRENCIES, sloVerdict, type SloResult } from "./slo.ts";
import { sleep } from "./support.ts";

export const SCAN_HTML_TARGET = { perSec: 2_000, p99Ms: 30 };
export const BROWSER_VERIFY_TARGET_MS = 1_000;
const EVENTS = 17; // + the product, lot and item registrations = 20 entries
const PREFIX = "9527400";
const RUNS = 5;

export interface ScanResult {
  html: SloResult;
  entries: number;
  verifyMs: number[];
  verdicts: string[];
}

const gtin13 = (n: number) => ((body) => body + gs1CheckDigit(body))(PREFIX + String(n).padStart(12 - PREFIX.length, "0"));

export async function benchScan(options: { databaseUrl: string | undefined; brief?: boolean }): Promise<ScanResult> {
  const server = await startBenchServer(options.databaseUrl, { LOG_LEVEL: "warn", PUBLIC_RATE_LIMIT: "1000000000", BATCH_INTERVAL_MS: "200" });
  const meter = await cpuMeter(server.pid, options.databaseUrl);
  try {
    const api = async <T>(status: number, method: string, path: string, body?: unknown, token = server.token): Promise<T> => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": path === "/epcis/capture" ? "application/ld+json" : "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      if (res.status !== status) throw new Error(`${method} ${path} answered ${res.status}, not ${status}: ${text.slice(0, 500)}`);
      return JSON.parse(text) as T;
    };
    const admin = options.databaseUrl ? await adminKeyOn(options.databaseUrl) : /tmk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}/.exec(server.output())![0];
    const { merchantId } = await api<{ merchantId: string }>(200, "GET", "/v1/me");
    await api(201, "POST", `/v1/admin/merchants/${merchantId}/prefixes`, { prefix: PREFIX }, admin);
    const gtin = gtin13(1);
    await api(201, "POST", "/v1/products", { gtin, name: "Bench silk scarf", brand: "Bench" });
    await api(201, "POST", `/v1/products/${gtin}/lots`, { lot: "SCAN" });
    const job = await api<{ id: string }>(202, "POST", `/v1/products/${gtin}/lots/SCAN/items`, { count: 1 });
    while ((await api<{ status: string }>(200, "GET", `/v1/jobs/${job.id}`)).status !== "succeeded") await sleep(20);
    const [item] = (await api<{ items: Array<{ uri: string }> }>(200, "GET", `/v1/jobs/${job.id}/items`)).items;
    const steps = ["commissioning", "inspecting", "packing", "shipping", "receiving", "storing", "picking", "shipping", "receiving", "stocking"];
    const site = { id: `urn:epc:id:sgln:${PREFIX}.00001.0` };
    const events = Array.from({ length: EVENTS }, (_, i) => ({
      type: "ObjectEvent", eventTime: new Date(Date.UTC(2026, 1, 1) + i * 3_600_000).toISOString(), eventTimeZoneOffset: "+08:00", epcList: [item!.uri],
      action: i === 0 ? "ADD" : "OBSERVE", bizStep: steps[i % steps.length], disposition: "active", readPoint: site, bizLocation: site,
    }));
    const document = { "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-01-01T00:00:00.000Z", epcisBody: { eventList: events } };
    const { captureID } = await api<{ captureID: string }>(202, "POST", "/epcis/capture", document);
    for (;;) {
      const capture = await api<{ running: boolean; success: boolean; errors: string[] }>(200, "GET", `/epcis/capture/${captureID}`);
      if (!capture.running) {
        if (!capture.success) throw new Error(`capture failed: ${capture.errors.join("; ")}`);
        break;
      }
      await sleep(20);
    }
    const pagePath = new URL(item!.uri).pathname;
    let entries = 0;
    for (const deadline = Date.now() + 60_000; ; await sleep(200)) {
      const view = (await (await fetch(`${server.url}/v1/trace?uri=${encodeURIComponent(item!.uri)}`)).json()) as { timeline: Array<{ status: string }> };
      entries = view.timeline.length;
      if (entries >= EVENTS + 3 && view.timeline.every((e) => e.status === "anchored" || e.status === "final")) break;
      if (Date.now() > deadline) throw new Error(`the item's history was not anchored in a minute (${entries} entries)`);
    }

    // The first page builds the page assets (esbuild, then brotli; src/pages/assets.ts), once per
    // process: a cost of the first shopper after a start, not of the steady state measured here.
    const first = await fetch(`${server.url}${pagePath}`, { headers: { accept: "text/html" } });
    if (first.status !== 200) throw new Error(`the scan page answered ${first.status}: ${(await first.text()).slice(0, 500)}`);
    await first.arrayBuffer();

    const html = await atLatencyTarget(SCAN_HTML_TARGET, options.brief ? [16] : SLO_CONCURRENCIES, (concurrency) =>
      load({
        what: "scan page HTML",
        concurrency,
        warmupMs: 1_500,
        measureMs: options.brief ? 1_500 : 6_000,
        meter,
        url: server.url,
        requests: [{ path: pagePath, method: "GET", headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8", "accept-language": "zh-CN" } }],
        expected: 200,
      }),
    );

    const browser = await launchChromium();
    const verifyMs: number[] = [];
    let verdicts: string[] = [];
    try {
      const context = await browser.newContext({ viewport: { width: 360, height: 780 }, locale: "zh-CN" });
      const page = await context.newPage();
      for (let i = 0; i < (options.brief ? 2 : RUNS); i++) {
        await page.goto(`${server.url}${pagePath}`, { waitUntil: "domcontentloaded" });
        const started = performance.now();
        await page.waitForSelector('[data-verification="done"]', { timeout: 60_000 });
        verifyMs.push(performance.now() - started);
        verdicts = await page.locator("[data-entry]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-verdict") ?? "none"));
      }
    } finally {
      await browser.close();
    }
    return { html, entries, verifyMs, verdicts };
  } finally {
    await meter.close();
    await server.stop();
  }
}

const f = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function scanReport(r: ScanResult): { lines: string[]; rows: Array<{ what: string; measured: string; target: string; verdict: string }> } {
  const h = r.html;
  const html = sloVerdict(h, SCAN_HTML_TARGET);
  const allValid = r.verdicts.length === r.entries && r.verdicts.every((v) => v === "valid");
  const verify = median(r.verifyMs);
  const verifyOk = verify <= BROWSER_VERIFY_TARGET_MS && allValid;
  return {
    lines: [
      `  scan page HTML (item with ${r.entries} entries, Accept: text/html), ${h.runs[0]?.client ?? ""} keep-alive:`,
      ...h.runs.flatMap((run) => [`    ${rateLine(run)}` + (run.firstError ? `\n    first error: ${run.firstError}` : ""), cpuLine(run, 5)]),
      `    ${html.line}`,
      `  browser verification of ${r.entries} entries in Chromium against the operator's /rpc: ${r.verifyMs.map((ms) => f(ms)).join(", ")} ms (median ${f(verify)} ms); ` +
        `verdicts: ${allValid ? "all valid" : r.verdicts.join(",")} [target <= ${f(BROWSER_VERIFY_TARGET_MS)} ms] ${verifyOk ? "PASS" : "MISS"}`,
    ],
    rows: [
      { what: `scan page HTML, ${r.entries} entries, req/s at p99 target`, measured: html.measured, target: `>= ${f(SCAN_HTML_TARGET.perSec)} req/s, p99 <= ${SCAN_HTML_TARGET.p99Ms} ms`, verdict: h.pass ? "PASS" : "MISS" },
      { what: `browser verifies a ${r.entries}-entry history (median)`, measured: `${f(verify)} ms`, target: `<= ${f(BROWSER_VERIFY_TARGET_MS)} ms, all valid`, verdict: verifyOk ? "PASS" : "MISS" },
    ],
  };
}
