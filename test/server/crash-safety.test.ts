// DESIGN.md "Lifecycle of a record": every transition is a database transaction, a crash at any
// point resumes from the stored state, and a root already on chain is detected, not sent again.
// This test holds the real service to that. It runs it as a child process against a hardhat node
// that mines on an interval (so an anchor transaction waits in the mempool for a while), posts
// records at it (batches, and single records from enough workers at once that they share group
// commits), and SIGKILLs it at 21 moments — while it ingests (on PostgreSQL, half of them while a
// write transaction is open: a group commit under way), in and around a seal, and
// between storing an anchor transaction and its confirmation — restarting it on the same
// database and chain each time. Then every record answered 202 must be in exactly one final
// batch, every batch root on chain exactly once, and nothing stuck.
//
// The kill schedule comes from a seeded PRNG; replay it with CRASH_SEED=<the seed in the log>.
import t from "tap";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { JsonRpcProvider } from "ethers";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { batchAnchorAt } from "../../src/chain/artifact.ts";
import { hardhatDevAccount } from "../../src/chain/connect.ts";
import { openDatabase } from "../../src/db/connect.ts";
import type { Db } from "../../src/db/database.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { buildTree, verifyReceiptOffline } from "../../src/merkle/index.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { deployWithScript } from "../support/deploy-script.ts";
import { freeLoopbackPort, startHardhatNode } from "../support/hardhat-node.ts";
import { aim, describeKill, openTransaction, PHASES, SEALED, summarizeKills, WRITE_OPEN, writeInTransaction, type Kill } from "../support/kill-moments.ts";
import { logLinesOf, watchLog, type LogLine } from "../support/log-watch.ts";
import { pipelineState, recordsInBatches, sealerInTransaction, txState } from "../support/pipeline-state.ts";
import { startLoad } from "../support/record-load.ts";
import { seedFrom, seededRandom } from "../support/seeded-random.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

const KILLS_PER_PHASE = 7;
// Batches about as often as the chain takes anchors (one in flight at a time, one per block), so
// the backlog stays short; small batches, so there are many.
const MINING_INTERVAL_MS = 500;
const SERVER_ENV = { BATCH_INTERVAL_MS: "400", BATCH_MAX: "200", CHAIN_POLL_MS: "100", LOG_LEVEL: "info" };
const DRAIN_TIMEOUT_MS = 60_000;
/** On PGlite (unreadable while the server holds it) the pipeline is idle once it logged nothing for this long. */
const QUIET_MS = 3_000;
const RECOVERIES = [
  "re-broadcast the stored anchor transaction",
  "root already anchored on chain; recording it instead of sending again",
  "batch anchored by an earlier transaction",
  "anchor transaction reverted; will send again",
  "broadcast failed; the chain's state decides next",
  "sealer failed; retrying",
  "anchorer failed; retrying",
];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
/** `promise`'s value, or `fallback` after `ms` (the timer does not hold the process open). */
const within = <T, F>(promise: Promise<T>, ms: number, fallback: F) =>
  Promise.race([promise, new Promise<F>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);
const groupBy = <T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> => {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
};

t.test("SIGKILLed at random moments, the service anchors every accepted record exactly once", async (t) => {
  const started = Date.now();
  const seed = seedFrom("CRASH_SEED");
  t.comment(`seed ${seed} (replay the kill schedule with CRASH_SEED=${seed}); database: ${usingPostgres ? "PostgreSQL" : "PGlite on disk"}`);
  const random = seededRandom(seed);

  const node = await startHardhatNode();
  t.teardown(node.stop);
  const contractAddress = await deployWithScript(node.url);
  const provider = new JsonRpcProvider(node.url, undefined, { cacheTimeout: -1, staticNetwork: true });
  t.teardown(() => provider.destroy());
  await provider.send("evm_setAutomine", [false]);
  await provider.send("evm_setIntervalMining", [MINING_INTERVAL_MS]);
  const contract = batchAnchorAt(contractAddress, provider);
  const anchorer = hardhatDevAccount().address;
  const noncesBefore = await provider.getTransactionCount(anchorer, "latest");

  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const dataDir = usingPostgres ? null : await mkdtemp(join(tmpdir(), "tracemark-crash-"));
  t.teardown(() => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: dataDir! };
  // PostgreSQL can be read while the server runs; PGlite's directory only while the server is down.
  const shared = usingPostgres ? await openDatabase(testConfig(dbEnv)) : null;
  if (shared) t.teardown(() => shared.close());
  const withDb = async <T>(use: (db: Db) => Promise<T>): Promise<T> => {
    if (shared) return use(shared.db);
    const handle = await openDatabase(testConfig(dbEnv));
    try {
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  };
  const admin = await withDb(async (db) => {
    await migrateToLatest(db);
    return issueApiKey(db, { role: "admin", label: "crash test" });
  });

  const env = { ...dbEnv, ...SERVER_ENV, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: contractAddress };
  let port = await freeLoopbackPort();
  // Restarts reuse the port; should something else have taken it meanwhile, another one.
  const start = async () => {
    try {
      return await startServer(env, { port });
    } catch (error) {
      if (!/EADDRINUSE/.test(String(error))) throw error;
      port = await freeLoopbackPort();
      return startServer(env, { port });
    }
  };
  let server: ServerProcess = await start();
  t.teardown(() => server.kill("SIGKILL"));
  const load = startLoad({ url: () => server.url, token: admin.token, workers: 3, random: seededRandom(seed ^ 0x5eed), maxRecords: 40, pauseMs: [20, 100], idempotentShare: 0.3, singleWorkers: { workers: 6, pauseMs: [5, 40] } });
  t.teardown(() => load.stop());

  const kills: Kill[] = [];
  const recoveries = new Map<string, number>();
  const tally = (lines: LogLine[]) => {
    for (const l of lines) if (RECOVERIES.includes(l.msg)) recoveries.set(l.msg, (recoveries.get(l.msg) ?? 0) + 1);
  };
  let lastSeal = 0;
  for (let n = 0; n < KILLS_PER_PHASE * PHASES.length; n++) {
    const phase = PHASES[n % PHASES.length]!;
    const watch = watchLog(server.child.stdout!);
    const probe = shared ? () => sealerInTransaction(shared.db) : null;
    const writeProbe = shared ? () => writeInTransaction(shared.db) : null;
    const aimed = await aim(phase, { watch, random, occurrence: Math.floor(n / PHASES.length), sealerInTransaction: probe, lastSeal, writeInTransaction: writeProbe });
    server.kill("SIGKILL");
    const exit = await server.exited;
    watch.close();
    t.equal(exit, "SIGKILL", `kill ${n + 1} killed the process`);

    // What the kill hit: the chain at once (the miner goes on), then the database (on PGlite,
    // every other time, so that the other restarts recover the crashed directory themselves).
    const atBlock = await provider.getBlockNumber();
    const lines = logLinesOf(server.output());
    tally(lines);
    const open = openTransaction(lines);
    const openTx = open ? { batch: open.batch, state: await txState(provider, open.tx, atBlock) } : null;
    const state = usingPostgres || n % 2 === 0 ? await withDb((db) => pipelineState(db, provider, atBlock)) : null;
    const sealed = lines.filter((l) => l.msg === SEALED).map((l) => l["batch"] as number);
    const triggerBatch = aimed.trigger?.["batch"] as number | undefined;
    const sealsAfterTrigger = triggerBatch === undefined ? 0 : sealed.filter((seq) => seq > triggerBatch).length;
    lastSeal = Math.max(lastSeal, ...sealed);
    const sealUnlogged = state !== null && state.maxBatchSeq > lastSeal;
    lastSeal = Math.max(lastSeal, state?.maxBatchSeq ?? 0);
    const kill: Kill = { phase, ...aimed, openTx, sealsAfterTrigger, sealUnlogged, state };
    kills.push(kill);
    t.comment(`${describeKill(n, kill)} [${seconds(Date.now() - started)}]`);
    server = await start();
  }

  // The last start runs under load for a moment, then drains: every batch final.
  const watch = watchLog(server.child.stdout!);
  await sleep(1_000);
  await load.stop();
  const loadStopped = Date.now();
  for (;;) {
    let idle: boolean;
    if (shared) {
      const s = await pipelineState(shared.db, provider, await provider.getBlockNumber());
      idle = s.unsealed === 0 && s.batches.sealed + s.batches.submitted + s.batches.anchored === 0;
    } else {
      // Quiet for a while, and not because a loop is backing off after a failure.
      const last = watch.lines.filter((l) => l["component"] === "pipeline").at(-1);
      idle = Date.now() - Math.max(last?.at ?? 0, loadStopped) >= QUIET_MS && !/failed; retrying$/.test(last?.msg ?? "");
    }
    if (idle) break;
    if (Date.now() - loadStopped > DRAIN_TIMEOUT_MS) {
      t.fail(`the pipeline did not drain within ${DRAIN_TIMEOUT_MS / 1000} s`);
      break;
    }
    await sleep(200);
  }
  watch.close();
  const drainedIn = Date.now() - loadStopped;

  const accepted = load.accepted();
  t.ok(accepted.size > 0, "records were accepted");
  const ids = [...accepted.keys()];
  const sample = [...new Set(Array.from({ length: 8 }, () => ids[random.int(0, ids.length - 1)]!))];
  await t.test("a sample of receipts from the last server verify offline and on chain", async (t) => {
    for (const id of sample) {
      const response = await fetch(`${server.url}/v1/records/${id}/receipt`, { headers: { authorization: `Bearer ${admin.token}` }, signal: AbortSignal.timeout(5_000) });
      const receipt = (await response.json()) as { inclusion: { leafHash: string; leafIndex: number; treeSize: number; auditPath: string[]; root: string }; anchor: { status: string } | null };
      t.equal(verifyReceiptOffline(receipt).status, "valid", `the receipt of ${id} verifies offline`);
      t.equal(receipt.anchor?.status, "final", "and is final");
      const { leafHash, leafIndex, treeSize, auditPath, root } = receipt.inclusion;
      t.ok(await contract.verifyInclusion(`0x${leafHash}`, leafIndex, treeSize, auditPath.map((p) => `0x${p}`), `0x${root}`), "and the contract verifies its inclusion");
    }
  });

  server.kill("SIGTERM");
  t.equal(await within(server.exited, 30_000, "still running 30 s after SIGTERM"), 0, "the last server exits 0 on SIGTERM");
  tally(logLinesOf(server.output()));
  const { records, batches } = await withDb(async (db) => ({
    records: await recordsInBatches(db),
    batches: await db.selectFrom("batches").selectAll().orderBy("seq").execute(),
  }));

  await t.test("every record answered 202 is in exactly one final batch, and nothing is stuck", async (t) => {
    const byId = new Map(records.map((r) => [r.id, r]));
    const statusOf = new Map(batches.map((b) => [b.seq, b.status]));
    t.same([...accepted.keys()].filter((id) => !byId.has(id)), [], "every record answered 202 is stored");
    t.same([...accepted.keys()].filter((id) => statusOf.get(byId.get(id)?.batch_seq ?? -1) !== "final"), [], "every record answered 202 is in a final batch");
    t.equal(records.filter((r) => r.batch_seq === null).length, 0, "no record is left unsealed");
    t.same(batches.filter((b) => b.status !== "final").map((b) => `${b.seq}: ${b.status}`), [], "no batch is stuck short of final");
    // A batch holds the records of its seq range, in seq order (src/pipeline/sealer.ts): they
    // must be exactly the leaves of its tree.
    const leaves = groupBy(records, (r) => r.batch_seq);
    const wrong = batches.flatMap((b) => {
      const rows = leaves.get(b.seq) ?? [];
      const root = rows.length > 0 ? buildTree(rows.map((r) => Buffer.from(r.leaf_hash, "hex"))).root.toString("hex") : "";
      return rows.length === b.tree_size && root === b.root ? [] : [`batch ${b.seq}: ${rows.length} records, tree_size ${b.tree_size}, root ${root === b.root ? "ok" : "differs"}`];
    });
    t.same(wrong, [], "each batch's tree_size, leaf indexes and root are those of its records");
  });

  await t.test("the contract holds each batch root once, as the database says", async (t) => {
    const events = await contract.queryFilter(contract.filters["Anchored"]!(), 0, "latest");
    const roots = events.map((e) => String((e as unknown as { args: unknown[] }).args[1]).slice(2));
    t.equal(new Set(roots).size, roots.length, "no root appears twice in the Anchored events");
    t.same([...roots].sort(), batches.map((b) => b.root).sort(), "the Anchored events name exactly the database's batch roots");
    t.equal(await contract.anchorCount(), BigInt(batches.length), "anchorCount() is the number of batches");
    // After a crash the stored transaction is sent again, never a new one: exactly one
    // transaction per batch, none reverted, none replaced.
    t.equal((await provider.getTransactionCount(anchorer, "latest")) - noncesBefore, batches.length, "the anchoring account sent one transaction per batch");
    t.equal(await provider.getTransactionCount(anchorer, "pending"), await provider.getTransactionCount(anchorer, "latest"), "none is left in the mempool");
    const txOfRoot = new Map(events.map((e, i) => [roots[i], e.transactionHash]));
    const differ: string[] = [];
    for (const b of batches) {
      const onChain = await contract.anchorOf(`0x${b.root}`);
      if (onChain.treeSize !== BigInt(b.tree_size) || Number(onChain.blockNumber) !== Number(b.block_number) || txOfRoot.get(b.root) !== b.tx_hash) differ.push(`batch ${b.seq}`);
    }
    t.same(differ, [], "each batch's tree size, block and transaction are the chain's");
  });

  await t.test("each request was stored whole or not at all, and once", async (t) => {
    const bySubject = groupBy(records, (r) => r.subject);
    const partial = load.outcomes.flatMap((o) => {
      const stored = (bySubject.get(o.subject) ?? []).map((r) => r.id);
      const ok = o.ids ? stored.length === o.size && o.ids.every((id) => stored.includes(id)) : stored.length === 0 || stored.length === o.size;
      return ok ? [] : [`${o.subject}: ${stored.length} of ${o.size} stored${o.ids ? " after a 202" : ""}`];
    });
    t.same(partial, [], "answered 202: all of its records; answer lost: all or none");
    t.same(load.outcomes.flatMap((o) => (o.refused ? [o.refused] : [])), [], "no request was refused");
  });

  await t.test("rows and 202s add up: nothing answered 202 was lost, nothing stored was not sent", async (t) => {
    const sent = new Map(load.outcomes.map((o) => [o.subject, o]));
    t.same(records.filter((r) => !sent.has(r.subject)).map((r) => r.subject), [], "every stored record belongs to a request that was sent");
    const storedUnanswered = load.outcomes.filter((o) => !o.ids).reduce((n, o) => n + records.filter((r) => r.subject === o.subject).length, 0);
    const unansweredWithoutLoss = load.outcomes.filter((o) => !o.ids && o.lost === 0 && records.some((r) => r.subject === o.subject));
    t.same(unansweredWithoutLoss.map((o) => o.subject), [], "a request stored without a 202 had its answer lost to a kill");
    t.equal(records.length, accepted.size + storedUnanswered, `rows stored (${records.length}) = records answered 202 (${accepted.size}) + records of requests whose answer a kill took (${storedUnanswered})`);
    const singles = load.outcomes.filter((o) => o.size === 1 && o.ids).length;
    t.ok(singles > 0, `single-record requests were answered 202 (${singles})`);
  });

  for (const line of summarizeKills(kills)) t.comment(line);
  const lost = load.outcomes.filter((o) => o.lost > 0 && !o.ids).length;
  const replayed = load.outcomes.filter((o) => o.replayed).length;
  t.comment(
    `requests: ${load.outcomes.length} (${load.outcomes.filter((o) => o.ids).length} answered 202, ${lost} answers lost, ${replayed} keyed retries answered as replays); ` +
      `records: ${accepted.size} accepted, ${records.length} stored; batches: ${batches.length}; drained in ${seconds(drainedIn)}; elapsed ${seconds(Date.now() - started)}`,
  );
  t.comment(`recoveries logged: ${[...recoveries].map(([m, c]) => `"${m}" ×${c}`).join(", ") || "none"}`);
  t.ok(kills.length >= 20, "at least 20 kills");
  t.same(kills.filter((k) => k.phase !== "ingest" && !k.trigger).map((k) => k.phase), [], "every seal and anchor kill found its moment");
  if (usingPostgres) t.ok(kills.some((k) => k.trigger?.msg === WRITE_OPEN), "kills landed while a write transaction (a group commit) was open");
  t.ok(kills.some((k) => k.phase === "anchor" && k.openTx !== null && k.openTx.state !== "mined"), "kills landed between storing an anchor transaction and its mining");
});
