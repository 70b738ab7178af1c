// A real live stream, end to end (issue 10, "Must show"): ffmpeg encodes a generated test pattern
// into HLS in real time; its growing playlist is served on loopback; `tracemark stream watch`
// notarizes every segment while the stream runs, through the real service (a child process, on
// PostgreSQL in CI) anchoring on a `hardhat node`. The watcher is killed (SIGKILL) mid-stream and
// started again: it resumes with no gap and no duplicate. One segment is deleted before the
// watcher can read it: it shows as a gap in the chain. After the end, every segment verifies with
// `tracemark verify --content <segment>` against the chain with trust pinned; a segment with one
// byte changed fails at contentHash; `tracemark stream check` names the gap, the changed file and
// a deleted one.
import t from "tap";
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Receipt } from "../../src/merkle/index.ts";
import { PLAYLIST, serveDirectory, startLiveHls } from "../../scripts/lib/hls-live.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { startServer } from "../support/server-process.ts";

const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const STREAM_SECONDS = 12;
/** Deleted before the watcher reads it (the server answers 404): a gap. */
const DELETED = "seg005.ts";

function tracemark(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test("a live HLS stream notarized segment by segment while it runs, then verified file by file", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const deployed = await deployWithScriptPrinting(node.url);
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const work = await mkdtemp(join(tmpdir(), "tracemark-live-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
  t.comment(`hardhat node at ${node.url}; database: ${usingPostgres ? "PostgreSQL" : "PGlite on disk"}`);

  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const admin = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();
  const server = await startServer({ ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: deployed.address, CONTRACT_DEPLOY_BLOCK: String(deployed.deployBlock), BATCH_INTERVAL_MS: "500", LOG_LEVEL: "warn" });
  t.teardown(() => server.kill("SIGKILL"));
  const trustFile = join(work, "trust.json");
  await writeFile(trustFile, await (await fetch(`${server.url}/.well-known/tracemark-trust.json`)).text());

  const api = async <T>(token: string, method: string, path: string, body?: object): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body && { "content-type": "application/json" }) }, ...(body && { body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const merchant = await api<{ id: string }>(admin.token, "POST", "/v1/admin/merchants", { name: "丝路直播 Silk Road Live" });
  const key = (await api<{ token: string }>(admin.token, "POST", "/v1/admin/keys", { role: "merchant", merchantId: merchant.id })).token;
  const { stream } = await api<{ stream: { id: string; subject: string } }>(key, "POST", "/v1/streams", { platform: "Douyin", roomUrl: "https://live.douyin.com/4242", host: "Lin", public: true });

  // The stream: ffmpeg in real time into `live/`, served on loopback with one segment "deleted".
  const live = join(work, "live");
  await mkdir(live);
  const http = await serveDirectory(live, new Set([DELETED]));
  t.teardown(http.close);
  const ffmpeg = startLiveHls(live, { seconds: STREAM_SECONDS });
  t.teardown(ffmpeg.stop);
  const playlistUrl = `${http.url}/${PLAYLIST}`;
  const watchArgs = ["stream", "watch", playlistUrl, "--stream", stream.id, "--api", server.url, "--poll-ms", "200", "--batch", "4", "--idle-seconds", "30"];
  const env = { TRACEMARK_API_KEY: key };

  // First watcher: killed (SIGKILL, no chance to save anything) once it has notarized 3 segments.
  const first = spawn(process.execPath, [CLI, ...watchArgs], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let firstErr = "";
  first.stderr.setEncoding("utf8").on("data", (c: string) => (firstErr += c));
  const firstExit = new Promise((resolve) => first.once("exit", resolve));
  for (const deadline = Date.now() + 60_000; !/\b([3-9]|\d\d) segments,/.test(firstErr); await sleep(100)) {
    if (Date.now() > deadline) throw new Error(`the first watcher notarized nothing in time: ${firstErr}`);
  }
  first.kill("SIGKILL");
  await firstExit;
  t.comment(`first watcher, killed: ${firstErr.trim().split("\n").at(-1)}`);
  t.ok(/lag [0-9.]+ s \(p95 [0-9.]+ s\)/.test(firstErr), "progress lines show segments, bytes and lag");

  const second = await tracemark(watchArgs, env);
  t.comment(second.stderr.trim());
  t.match(second.stderr, /the service holds \d+ segments of rendition main \(last \d+\); going on after them/, "the restarted watcher asks the service where it got to");
  t.match(second.stderr, new RegExp(`segment 5 \\(${DELETED}\\): listed in the playlist but could not be read: left as a gap`), "the deleted segment is said to be a gap");
  t.equal(second.code, 1, `the stream ended with a gap: exit 1 (${second.stdout.trim()})`);
  t.match(second.stdout, /ended: .*final playlist [0-9a-f]{64}/);
  await ffmpeg.done;

  const playlistText = await readFile(join(live, PLAYLIST), "utf8");
  const listed = [...playlistText.matchAll(/^(seg\d+\.ts)$/gm)].map((m) => m[1]!);
  t.ok(listed.length >= STREAM_SECONDS - 1, `ffmpeg wrote ${listed.length} segments`);
  type Report = { status: string; renditions: Array<{ count: number; gaps: unknown[]; outOfOrder: number[] }>; segments: Array<{ mediaSequence: number; uri: string; id: string; sha256: string }> };
  const report = await api<Report>(key, "GET", `/v1/streams/${stream.id}/segments`);
  t.equal(report.status, "ended");
  t.same(report.renditions[0]!.gaps, [{ from: 5, to: 5, missing: 1 }], "the deleted segment is the only gap in the chain");
  t.same(report.renditions[0]!.outOfOrder, [], "no segment came out of order, across the restart too");
  t.same(report.segments.map((s) => s.uri), listed.filter((name) => name !== DELETED), "every other segment is notarized, once");
  const streamView = await api<{ finalPlaylistSha256: string }>(key, "GET", `/v1/streams/${stream.id}`);
  t.equal(streamView.finalPlaylistSha256, createHash("sha256").update(playlistText).digest("hex"), "the final playlist notarized is the one ffmpeg wrote");

  // Every record final on the chain, then each segment against its receipt.
  const receipts = new Map<string, Receipt>();
  for (const deadline = Date.now() + 120_000; ; await sleep(500)) {
    const statuses = await Promise.all(report.segments.map((s) => api<{ status: string }>(key, "GET", `/v1/records/${s.id}`)));
    if (statuses.every((s) => s.status === "final")) break;
    if (Date.now() > deadline) throw new Error(`not final in time: ${statuses.map((s) => s.status).join(",")}`);
  }
  for (const s of report.segments) receipts.set(s.uri, await api<Receipt>(key, "GET", `/v1/records/${s.id}/receipt`));

  t.test("every segment verifies with tracemark verify --content, on chain, with trust pinned", async (t) => {
    for (const s of report.segments) {
      const file = join(work, `${s.uri}.receipt.json`);
      await writeFile(file, JSON.stringify(receipts.get(s.uri)));
      const run = await tracemark(["verify", file, "--content", join(live, s.uri), "--rpc", node.url, "--trust", trustFile]);
      t.equal(run.code, 0, `${s.uri} (segment ${s.mediaSequence}): valid ${run.code === 0 ? "" : run.stdout}`);
    }
  });

  t.test("a segment with one byte changed fails at contentHash", async (t) => {
    const victim = report.segments[2]!;
    const altered = join(work, `altered-${victim.uri}`);
    const bytes = await readFile(join(live, victim.uri));
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0x01;
    await writeFile(altered, bytes);
    const receipt = join(work, `${victim.uri}.receipt.json`);
    const run = await tracemark(["verify", receipt, "--content", altered, "--rpc", node.url, "--trust", trustFile, "--json"]);
    t.equal(run.code, 1, "invalid");
    const failed = (JSON.parse(run.stdout) as { steps: Array<{ step: string; ok: boolean | null; code?: string }> }).steps.find((s) => s.ok === false);
    t.match(failed, { step: "contentHash", code: "CONTENT_HASH_MISMATCH" });
  });

  t.test("tracemark stream check names the gap, a changed file and a deleted one", async (t) => {
    const clean = await tracemark(["stream", "check", live, "--stream", stream.id, "--api", server.url, "--json"], env);
    t.equal(clean.code, 1, "the gap is a problem");
    t.same((JSON.parse(clean.stdout) as { findings: unknown[] }).findings, [{ problem: "gap", from: 5, to: 5, missing: 1 }], "and the only one while the recording is intact");
    const changed = report.segments[3]!;
    const removed = report.segments[6]!;
    const copy = join(work, "recording");
    await cp(live, copy, { recursive: true });
    const bytes = await readFile(join(copy, changed.uri));
    bytes[100] = bytes[100]! ^ 0x80;
    await writeFile(join(copy, changed.uri), bytes);
    await unlink(join(copy, removed.uri));
    await copyFile(join(live, PLAYLIST), join(copy, PLAYLIST));
    const run = await tracemark(["stream", "check", join(copy, PLAYLIST), "--stream", stream.id, "--api", server.url], env);
    t.equal(run.code, 1);
    t.match(run.stdout, new RegExp(`✗ segment ${changed.mediaSequence} \\(${changed.uri}\\): the file's SHA-256 [0-9a-f]{64} is not the one notarized`));
    t.match(run.stdout, new RegExp(`✗ segment ${removed.mediaSequence} \\(${removed.uri}\\): notarized, but the file is not in the recording`));
    t.match(run.stdout, /✗ gap: segment 5 never notarized/);
  });
});
