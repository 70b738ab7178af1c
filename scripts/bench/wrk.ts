// The bench's load generator when wrk is installed (Debian's `wrk` package): a C event loop that
// spends about a third of the CPU per request that undici's Pool does in Node (33–45 µs against
// 100–190 µs, its setup included, measured on this 2-core machine). The client shares the two
// cores with the server and PostgreSQL, so a heavy client is a share of the server's latency: with
// undici at 64 in flight a third of a core went to the client. Without wrk, load() falls back to the undici worker
// (load-worker.ts) and the report says so.
//
// wrk runs twice per load: a warm-up, then the measured run, so the measured window holds only
// the requests wrk times; the plan continues where the warm-up stopped (each POST body once).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { PlannedRequest } from "./load-worker.ts";

const SCRIPT = fileURLToPath(new URL("./wrk-plan.lua", import.meta.url));

let available: boolean | undefined;

/** Whether wrk can be used: installed, and not turned off with BENCH_CLIENT=undici (looked up once). */
export function wrkAvailable(): boolean {
  available ??= process.env["BENCH_CLIENT"] !== "undici" && spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;
  return available;
}

export interface WrkRun {
  /** Answers in the run (expected or not), and the run's length. */
  requests: number;
  durationMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers with another status than expected (>= 400 without `check`), plus connect/read/write errors and timeouts. */
  errors: number;
  firstError: string | null;
  ids: string[];
  /** Requests taken from the plan (answered or still in flight when the run ended). */
  sent: number;
  /** CPU time of the wrk process, ms (its setup included). */
  cpuMs: number;
}

interface WrkResult {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  mismatched: number;
  socketErrors: number;
  sent: number;
  firstError: string;
  ids: string[];
}

/** The requests as wrk-plan.lua reads them; every request must carry the same headers. */
export function writePlan(requests: readonly PlannedRequest[]): { path: string; remove(): void } {
  const headers = requests[0]?.headers ?? {};
  const same = JSON.stringify(headers);
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  lines.push("");
  for (const r of requests) {
    if (JSON.stringify(r.headers) !== same) throw new Error("wrk-plan.lua sends every request with the same headers");
    if (/[\t\n\r]/.test(r.path + (r.body ?? ""))) throw new Error(`a request has a tab or newline in its path or body: ${r.path}`);
    lines.push(`${r.method}\t${r.path}\t${r.body ?? ""}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "tracemark-wrk-"));
  const path = join(dir, "plan.txt");
  writeFileSync(path, lines.join("\n") + "\n");
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * One wrk run of `seconds` with `concurrency` connections (one request in flight on each, no
 * pipelining), from request `start` of the plan.
 */
export async function runWrk(options: {
  url: string;
  planPath: string;
  concurrency: number;
  seconds: number;
  start: number;
  expected: number;
  /** Read every answer: check its status against `expected` (else only >= 400 is an error), and collect ids. */
  check: boolean;
  collectIds: boolean;
}): Promise<WrkRun> {
  // `times` prints the CPU time of the shell's children (wrk) once it has exited.
  const args = ["-c", `wrk --threads 1 --connections ${options.concurrency} --duration ${options.seconds}s --timeout 10s --script "$0" "$1"; times`, SCRIPT, options.url];
  const child = spawn("bash", args, {
    env: { ...process.env, WRK_PLAN: options.planPath, WRK_START: String(options.start), WRK_EXPECTED: String(options.expected), WRK_CHECK: options.check ? "1" : "0", WRK_IDS: options.collectIds ? "1" : "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on("error", reject).on("close", resolve));
  const line = /^WRK_RESULT (.*)$/m.exec(stdout)?.[1];
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stderr || stdout}`.slice(0, 2_000));
  const result = JSON.parse(line) as WrkResult;
  return {
    requests: result.requests,
    durationMs: result.durationUs / 1000,
    p50Ms: result.p50Us / 1000,
    p99Ms: result.p99Us / 1000,
    maxMs: result.maxUs / 1000,
    errors: result.mismatched + result.socketErrors,
    firstError: result.firstError === "" ? null : result.firstError,
    ids: result.ids,
    sent: result.sent,
    cpuMs: childCpuMs(stdout + stderr),
  };
}

/** The second line of bash's `times`: the children's user and system time, as "0m1.234s 0m0.567s". */
function childCpuMs(output: string): number {
  const times = [...output.matchAll(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/g)].at(-1);
  if (!times) return NaN;
  const [, um, us, sm, ss] = times.map(Number) as [number, number, number, number, number];
  return (um * 60 + us + sm * 60 + ss) * 1000;
}
