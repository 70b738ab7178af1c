// End to end, as the product is used: records go in through the HTTP API of a real server
// process (PostgreSQL in CI), are sealed and anchored on a `hardhat node` over JSON-RPC, and every
// receipt is then checked by the independent CLI against that RPC, with trust pinned: the server's
// trust document, fetched once and saved. Then each field of a receipt is changed by one byte, in
// turn, and the CLI must reject it naming the step that failed.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Receipt } from "../../src/merkle/index.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { startServer } from "../support/server-process.ts";

const RECORDS = 10_000;
const PER_REQUEST = 1_000;
const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));

function tracemark(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

/** Changes one byte of a hex string (the byte at `at`, counted from the end of any 0x prefix). */
function flipByte(hex: string, at = 0): string {
  const offset = hex.startsWith("0x") ? 2 : 0;
  const i = offset + at * 2;
  const byte = (parseInt(hex.slice(i, i + 2), 16) ^ 0x01).toString(16).padStart(2, "0");
  return hex.slice(0, i) + byte + hex.slice(i + 2);
}

t.test(`${RECORDS} records through the API, anchored on a hardhat node, each receipt verified by the CLI`, async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  t.comment(`hardhat node over JSON-RPC at ${node.url}; database: ${usingPostgres ? "PostgreSQL" : "PGlite on disk"}`);
  const deployed = await deployWithScriptPrinting(node.url);
  const contract = deployed.address;
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const work = await mkdtemp(join(tmpdir(), "tracemark-e2e-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(work, "pglite") };

  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const admin = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();

  // No CONTRACT_DEPLOY_BLOCK: the server finds its contract's deploy block on the chain.
  const server = await startServer({ ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: contract, BATCH_MAX: "4000", BATCH_INTERVAL_MS: "500", LOG_LEVEL: "warn" });
  t.teardown(() => server.kill("SIGKILL"));
  const trustUrl = `${server.url}/.well-known/tracemark-trust.json`;
  const trustText = await (await fetch(trustUrl)).text();
  const trustFile = join(work, "trust.json");
  await writeFile(trustFile, trustText);
  t.same(JSON.parse(trustText), {
    format: "tracemark.trust.v1",
    anchors: [{ chainId: deployed.chainId, contract, deployBlock: deployed.deployBlock, name: "Tracemark BatchAnchor" }],
  }, `the served trust names the contract and the deploy block npm run deploy printed (${deployed.deployBlock}), found on the chain`);
  const headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { ...init, headers });
    if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  const ids: string[] = [];
  for (let sent = 0; sent < RECORDS; sent += PER_REQUEST) {
    const records = Array.from({ length: PER_REQUEST }, (_, i) => ({
      kind: "evidence.chat",
      subject: `stream:${(sent + i) % 37}`,
      payload: { seq: sent + i, text: `line ${sent + i} of the host's pitch` },
    }));
    const { records: accepted } = await api<{ records: Array<{ id: string; status: string }> }>("/v1/records/batch", { method: "POST", body: JSON.stringify({ records }) });
    ids.push(...accepted.map((r) => r.id));
  }
  t.equal(ids.length, RECORDS, `${RECORDS} records accepted with 202`);

  const deadline = Date.now() + 180_000;

  for (;;) {
    const sample = await Promise.all([ids[0]!, ids[RECORDS / 2]!, ids.at(-1)!].map((id) => api<{ status: string }>(`/v1/records/${id}`)));
    if (sample.every((s) => s.status === "final")) break;
    if (Date.now() > deadline) throw new Error(`records not final in time: ${sample.map((s) => s.status).join(", ")}`);
    await new Promise((r) => setTimeout(r, 250));
  }

  const receipts: Receipt[] = new Array(RECORDS);
  const CONCURRENCY = 8;
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < RECORDS) {
        const i = next++;
        receipts[i] = await api<Receipt>(`/v1/records/${ids[i]}/receipt`);
      }
    }),
  );
  const statuses = new Map<string, number>();
  for (const r of receipts) statuses.set(r.anchor?.status ?? "none", (statuses.get(r.anchor?.status ?? "none") ?? 0) + 1);
  t.same([...statuses], [["final", RECORDS]], "every record reached final");
  const batches = new Set(receipts.map((r) => r.anchor!.batchSeq));
  t.comment(`${batches.size} batches, tree sizes ${[...new Set(receipts.map((r) => r.inclusion!.treeSize))].join(", ")}`);

  t.test("every receipt verifies with the CLI against the RPC, with the server's trust document pinned", async (t) => {
    const files: string[] = [];
    for (let i = 0; i < RECORDS; i++) {
      const file = join(work, `r${i}.json`);
      await writeFile(file, JSON.stringify(receipts[i]));
      files.push(file);
    }
    // The CLI takes many receipts per run; a few runs keep each command line short.
    // The first run fetches the trust from the server (and prints it); the others use the saved copy.
    let valid = 0;
    for (let i = 0; i < files.length; i += 2_500) {
      const run = await tracemark(["verify", ...files.slice(i, i + 2_500), "--rpc", node.url, "--trust", i === 0 ? trustUrl : trustFile]);
      t.equal(run.code, 0, `receipts ${i}..${i + 2_499}: exit 0 ${run.stderr}`);
      valid += Number(/(\d+) valid/.exec(run.stdout)?.[1] ?? 0);
    }
    t.equal(valid, RECORDS, `all ${RECORDS} receipts valid on chain`);
  });

  t.test("a receipt with any one byte changed is rejected, naming the step that failed", async (t) => {
    const base = receipts.find((r) => r.inclusion!.auditPath.length >= 10 && r.inclusion!.leafIndex > 0)!;
    const cases: Array<[string, (r: Receipt) => void, string[]]> = [
      ["envelope", (r) => void (r.record.envelope.subject = `${r.record.envelope.subject.slice(0, -1)}X`), ["recordHash"]],
      ["salt", (r) => void (r.record.salt = flipByte(r.record.salt, 7)), ["leafHash"]],
      ["leafIndex", (r) => void (r.inclusion!.leafIndex ^= 1), ["auditPath"]],
      // RFC 9162 verification alone accepts a different size when the path's shape does not change;
      // the contract's stored tree size catches it then.
      ["treeSize", (r) => void (r.inclusion!.treeSize += 1), ["auditPath", "rootOnChain"]],
      ...base.inclusion!.auditPath.map((_, k): [string, (r: Receipt) => void, string[]] => [`auditPath[${k}]`, (r) => void (r.inclusion!.auditPath[k] = flipByte(r.inclusion!.auditPath[k]!, 31)), ["auditPath"]]),
      ["root", (r) => void (r.inclusion!.root = flipByte(r.inclusion!.root, 0)), ["auditPath"]],
      // Another contract or chain is not the one trusted, whatever it holds.
      ["contract", (r) => void (r.anchor!.contract = flipByte(r.anchor!.contract.toLowerCase(), 19)), ["trust"]],
      ["chainId", (r) => void (r.anchor!.chainId += 1), ["trust"]],
      ["txHash", (r) => void (r.anchor!.txHash = flipByte(r.anchor!.txHash, 31)), ["transaction"]],
    ];
    const untouched = await tracemark(["verify", await writeReceipt(work, "base", base), "--rpc", node.url, "--trust", trustFile]);
    t.equal(untouched.code, 0, "the untouched receipt is valid");
    const unpinned = await tracemark(["verify", await writeReceipt(work, "base", base), "--rpc", node.url]);
    t.equal(unpinned.code, 5, "without trust it is untrusted, not valid");
    for (const [field, tamper, steps] of cases) {
      const changed = structuredClone(base);
      tamper(changed);
      const run = await tracemark(["verify", await writeReceipt(work, field, changed), "--rpc", node.url, "--trust", trustFile, "--json"]);
      t.equal(run.code, 1, `${field}: exit 1 (invalid)`);
      const report = JSON.parse(run.stdout) as { status: string; steps: Array<{ step: string; ok: boolean | null; reason?: string }> };
      const failed = report.steps.find((s) => s.ok === false);
      t.ok(failed && steps.includes(failed.step), `${field}: fails at ${failed?.step} (${failed?.reason})`);
    }
  });
});

async function writeReceipt(dir: string, name: string, receipt: Receipt): Promise<string> {
  const file = join(dir, `tampered-${name.replace(/\W/g, "_")}.json`);
  await writeFile(file, JSON.stringify(receipt));
  return file;
}
