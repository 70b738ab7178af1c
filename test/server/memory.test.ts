// The service stays up under the largest requests anyone may send without a key. A real server
// process (real mode: PostgreSQL or PGlite, a hardhat node) takes, all at once for
// MEMORY_TEST_MS: JSON verifications at the 1 MiB cap, multi-hundred-MiB uploads streamed in,
// and bodies trickling a byte at a time. Throughout, its RSS (/proc/PID/status VmRSS) and the
// latency of GET /healthz are sampled; both must stay within the bounds README "Limits" states.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import t from "tap";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createTestDatabase, testConfig } from "../support/database.ts";
import { deployWithScript } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { BOUNDARY, multipartType } from "../support/multipart.ts";
import { startServer } from "../support/server-process.ts";

const MiB = 1024 * 1024;
/** README "Limits": what no sequence of unauthenticated requests may push the process past. */
const RSS_BOUND_MIB = 512;
const HEALTHZ_BOUND_MS = 1_000;
const DURATION_MS = Number(process.env["MEMORY_TEST_MS"] ?? 20_000);
const UPLOAD_BYTES = 256 * MiB;
const WORKERS = { json: 8, upload: 4, trickle: 8 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rssMiB(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(line) / 1024;
}

/** A multipart form whose content is `bytes` long, generated as it is sent (never held whole). */
function streamedForm(receipt: string, bytes: number): ReadableStream<Uint8Array> {
  const head = Buffer.from(
    `--${BOUNDARY}\r\nContent-Disposition: form-data; name="receipt"\r\n\r\n${receipt}\r\n` +
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="content"; filename="stream.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
  );
  const chunk = Buffer.alloc(MiB, 0x5a);
  let sent = -1;
  return new ReadableStream({
    pull(controller) {
      if (sent < 0) controller.enqueue(head);
      else if (sent < bytes) controller.enqueue(chunk);
      else {
        controller.enqueue(Buffer.from(`\r\n--${BOUNDARY}--\r\n`));
        controller.close();
      }
      sent = sent < 0 ? 0 : sent + chunk.length;
    },
  });
}

/** Opens a connection and sends a body one byte every 200 ms until the server closes it. */
function trickle(port: number, until: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearInterval(timer);
      socket.destroy();
      resolve();
    };
    socket.on("connect", () => {
      socket.write(`POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MiB}\r\n\r\n{`);
      timer = setInterval(() => (Date.now() > until ? done() : socket.write(" ")), 200);
    });
    socket.on("error", done);
    socket.on("close", done);
  });
}

/** GET `url` every 200 ms for `durationMs` from a child process; the latencies in ms (5000 for no answer). */
function probeHealthz(url: string, durationMs: number): Promise<number[]> {
  const script = `
    const until = Date.now() + ${durationMs};
    const latencies = [];
    while (Date.now() < until) {
      const sent = performance.now();
      const ok = await fetch(${JSON.stringify(url)}, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
      latencies.push(ok ? Math.round(performance.now() - sent) : 5000);
      await new Promise((r) => setTimeout(r, 200));
    }
    process.stdout.write(JSON.stringify(latencies));`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--input-type=module", "-e", script], { timeout: durationMs + 30_000 }, (error, stdout) => (error ? reject(error) : resolve(JSON.parse(stdout) as number[])));
  });
}

t.test("concurrent maximum-size public requests keep RSS and /healthz within bounds", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const contract = await deployWithScript(node.url);
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : {};
  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const admin = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();

  const server = await startServer({
    ...dbEnv,
    CHAIN_RPC_URL: node.url,
    CONTRACT_ADDRESS: contract,
    BATCH_INTERVAL_MS: "200",
    LOG_LEVEL: "warn",
    // The rate limit is per client IP and every request here comes from 127.0.0.1: lift it, so
    // what is measured is the service's own bounds, not the limiter's.
    PUBLIC_RATE_LIMIT: "100000000",
    BODY_TIMEOUT_MS: "3000",
  });
  t.teardown(() => server.kill("SIGKILL"));
  const pid = server.child.pid!;
  const port = Number(new URL(server.url).port);

  // A final receipt, so each JSON verification also asks the chain.
  const auth = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
  const accepted = (await (await fetch(`${server.url}/v1/records`, { method: "POST", headers: auth, body: JSON.stringify({ kind: "evidence.file", subject: "case:memory", contentHash: "ab".repeat(32), mediaType: "video/mp4" }) })).json()) as { id: string };
  let receipt: { anchor: { status: string } | null } = { anchor: null };
  for (let i = 0; i < 100 && receipt.anchor?.status !== "final"; i++) {
    await sleep(200);
    receipt = (await (await fetch(`${server.url}/v1/records/${accepted.id}/receipt`, { headers: auth })).json()) as typeof receipt;
  }
  t.equal(receipt.anchor?.status, "final", "the receipt is anchored");
  const receiptJson = JSON.stringify(receipt);
  // The largest JSON body the route takes: the receipt plus base64 content up to the 1 MiB cap.
  const contentBytes = Math.floor(((MiB - receiptJson.length - 64) * 3) / 4 / 3) * 3;
  const jsonBody = JSON.stringify({ receipt, content: Buffer.alloc(contentBytes, 0x61).toString("base64") });
  t.ok(jsonBody.length <= MiB && jsonBody.length > MiB - 1024, `JSON body of ${jsonBody.length} bytes, at the cap`);

  const baseline = rssMiB(pid);
  const until = Date.now() + DURATION_MS;
  const statuses = new Map<string, number>();
  const count = (what: string, status: number | string) => statuses.set(`${what} ${status}`, (statuses.get(`${what} ${status}`) ?? 0) + 1);
  let peakRss = baseline;
  let worstHealthz = 0;
  const healthzOver: number[] = [];
  let probes = 0;

  const sampler = (async () => {
    while (Date.now() < until) {
      peakRss = Math.max(peakRss, rssMiB(pid));
      await sleep(100);
    }
  })();
  // /healthz is probed from a process of its own: in this one, the load generators' own work
  // would delay reading the answer and blame the server for it.
  const prober = probeHealthz(`${server.url}/healthz`, DURATION_MS).then((latencies) => {
    probes = latencies.length;
    worstHealthz = Math.max(0, ...latencies);
    healthzOver.push(...latencies.filter((ms) => ms > HEALTHZ_BOUND_MS));
  });
  const loop = async (what: string, once: () => Promise<number | string>) => {
    while (Date.now() < until) count(what, await once().catch((error: unknown) => (error as Error).name));
  };
  const json = () => fetch(`${server.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: jsonBody }).then(async (r) => (await r.arrayBuffer(), r.status));
  const upload = () =>
    fetch(`${server.url}/v1/verify/upload`, { method: "POST", headers: { "content-type": multipartType() }, body: streamedForm(receiptJson, UPLOAD_BYTES), duplex: "half" } as RequestInit).then(async (r) => (await r.arrayBuffer(), r.status));

  await Promise.all([
    sampler,
    prober,
    ...Array.from({ length: WORKERS.json }, () => loop("json", json)),
    ...Array.from({ length: WORKERS.upload }, () => loop("upload", upload)),
    ...Array.from({ length: WORKERS.trickle }, () => loop("trickle", () => trickle(port, until).then(() => "cut"))),
  ]);

  const table = Object.fromEntries([...statuses].sort());
  t.comment(`load for ${DURATION_MS} ms: ${JSON.stringify(table)}`);
  t.comment(`/healthz probes over ${HEALTHZ_BOUND_MS} ms: ${JSON.stringify(healthzOver)} of ${probes}; load average ${(await import("node:os")).loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  t.comment(`RSS: baseline ${baseline.toFixed(0)} MiB, peak ${peakRss.toFixed(0)} MiB (bound ${RSS_BOUND_MIB} MiB); worst /healthz ${worstHealthz.toFixed(0)} ms (bound ${HEALTHZ_BOUND_MS} ms)`);
  t.ok((table["json 200"] ?? 0) > 0, "JSON verifications were answered");
  t.ok((table["upload 200"] ?? 0) > 0, "uploads were hashed to the end and answered");
  t.ok(peakRss <= RSS_BOUND_MIB, `peak RSS ${peakRss.toFixed(0)} MiB ≤ ${RSS_BOUND_MIB} MiB`);
  t.ok(worstHealthz <= HEALTHZ_BOUND_MS, `worst /healthz ${worstHealthz.toFixed(0)} ms ≤ ${HEALTHZ_BOUND_MS} ms`);
  t.same(healthzOver, [], `no /healthz probe over the bound (of ${probes} probes)`);
  t.equal((await fetch(`${server.url}/healthz`)).status, 200, "still up afterwards");
});
