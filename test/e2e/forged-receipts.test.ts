// Forged receipts against a real `hardhat node` (issue 6): a lookalike BatchAnchor deployed by
// another account, a yes-to-everything contract that backdates its anchor, a foreign txHash, a
// txHash that was never sent or that reverted, a txHash of the trusted contract for another root,
// and a root anchored before the trusted deploy block. Each is rejected, naming the step, by the
// CLI with trust pinned three ways (--trust FILE, --trust URL, --contract) and by POST /v1/verify
// of a real server process on that chain; the genuine receipt still verifies; and without trust
// the CLI never says valid.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Receipt, VerificationReport } from "../../src/merkle/index.ts";
import { trustDocumentOf } from "../../src/verifier/trust.ts";
import { createTestDatabase } from "../support/database.ts";
import { buildForgeryWorld, onChainVectors } from "../support/forgeries.ts";
import { hardhatSigner, startHardhatNode } from "../support/hardhat-node.ts";
import { startServer } from "../support/server-process.ts";

const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));

function tracemark(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

const firstFailure = (report: VerificationReport) => {
  const failed = report.steps.find((s) => s.ok === false);
  return failed === undefined ? undefined : { step: failed.step, code: failed.code };
};

const node = await startHardhatNode();
t.teardown(node.stop);
const operator = await hardhatSigner(node.url, 0);
const forger = await hardhatSigner(node.url, 1);
t.teardown(() => operator.provider.destroy());
t.teardown(() => forger.provider.destroy());

// Every forgery is made before the server starts: it anchors from the same account #0.
const world = await buildForgeryWorld(operator.provider, operator, forger);
const vectors = onChainVectors();
const forged = new Map<string, Receipt>();
for (const vector of vectors) forged.set(vector.name, await world.materialise(vector.scenario));
t.comment(`trusted contract ${world.trust.contract}, deploy block ${world.trust.deployBlock}; ${vectors.length} forgeries`);

const work = await mkdtemp(join(tmpdir(), "tracemark-forged-"));
t.teardown(() => rm(work, { recursive: true, force: true }));
const testDb = await createTestDatabase();
t.teardown(testDb.drop);
const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
// The server's deploy block is set after the early anchor, as the world's trust says (see forgeries.ts).
const server = await startServer({
  ...dbEnv,
  CHAIN_RPC_URL: node.url,
  CONTRACT_ADDRESS: world.trust.contract,
  CONTRACT_DEPLOY_BLOCK: String(world.trust.deployBlock),
  PIPELINE: "off",
  LOG_LEVEL: "warn",
});
t.teardown(() => server.kill("SIGKILL"));
const trustUrl = `${server.url}/.well-known/tracemark-trust.json`;

const files = new Map<string, string>();
for (const [name, receipt] of [["genuine", world.genuine] as const, ...forged]) {
  const file = join(work, `${name}.json`);
  await writeFile(file, JSON.stringify(receipt));
  files.set(name, file);
}
const names = [...files.keys()];
// Every await happens before the first subtest: the root test may end once its queue runs dry.
const trustFile = join(work, "trust.json");
await writeFile(trustFile, await (await fetch(trustUrl)).text());

t.test("the server serves the trust a user pins: its chain, contract and deploy block", async (t) => {
  const res = await fetch(trustUrl);
  t.equal(res.status, 200);
  t.same(await res.json(), trustDocumentOf({ ...world.trust, name: "Tracemark BatchAnchor" }));
});


const pinnings: Array<[string, string[]]> = [
  ["--trust FILE", ["--trust", trustFile]],
  ["--trust URL", ["--trust", trustUrl]],
  ["--contract", ["--contract", world.trust.contract, "--chain-id", String(world.chainId), "--deploy-block", String(world.trust.deployBlock)]],
];

for (const [how, trustArgs] of pinnings) {
  t.test(`the CLI with ${how}: the genuine receipt is valid, every forgery invalid at its step`, async (t) => {
    const run = await tracemark(["verify", ...names.map((n) => files.get(n)!), "--rpc", node.url, ...trustArgs, "--json"]);
    t.equal(run.code, 1, `the worst outcome is invalid ${run.stderr}`);
    const reports = JSON.parse(run.stdout) as Array<VerificationReport & { receipt: string }>;
    const byName = new Map(reports.map((r, i) => [names[i]!, r]));
    t.equal(byName.get("genuine")?.status, "valid", byName.get("genuine")?.summary ?? "no report");
    for (const vector of vectors) {
      const report = byName.get(vector.name)!;
      t.equal(report.status, "invalid", `${vector.name}: ${report.summary}`);
      t.same(firstFailure(report), vector.expectedFailure, `${vector.name}: ${report.summary}`);
    }
    if (how === "--trust URL") t.match(run.stderr, /trust document from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/tracemark-trust\.json/);
  });
}

t.test("the CLI names the failed step on its own line and exits 1 for a single forged receipt", async (t) => {
  const run = await tracemark(["verify", files.get("lookalike-contract")!, "--rpc", node.url, "--trust", trustFile]);
  t.equal(run.code, 1);
  t.match(run.stdout, /✗ trust +CONTRACT_NOT_TRUSTED: the receipt names contract 0x[0-9a-fA-F]{40} on chain 31337, but the trusted contract on chain 31337 is /);
  const genuine = await tracemark(["verify", files.get("genuine")!, "--rpc", node.url, "--trust", trustFile]);
  t.equal(genuine.code, 0, genuine.stdout);
});

t.test("without trust the CLI never says valid: the genuine receipt and the lookalike are both untrusted (exit 5)", async (t) => {
  for (const name of ["genuine", "lookalike-contract"]) {
    const run = await tracemark(["verify", files.get(name)!, "--rpc", node.url]);
    t.equal(run.code, 5, `${name}: ${run.stdout}`);
    t.match(run.stdout, /^untrusted: checked, but not against a trusted contract/m, name);
  }
  const backdated = await tracemark(["verify", files.get("yes-to-everything-contract")!, "--rpc", node.url]);
  t.equal(backdated.code, 1, "a backdating contract is caught by its own transaction even without trust");
  t.match(backdated.stdout, /✗ anchorLog +ANCHOR_LOG_MISMATCH/);
});

t.test("POST /v1/verify on a server running on that chain rejects every forgery, naming the step", async (t) => {
  const verify = async (receipt: Receipt) => {
    const res = await fetch(`${server.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt }) });
    t.equal(res.status, 200);
    return (await res.json()) as VerificationReport;
  };
  const genuine = await verify(world.genuine);
  t.equal(genuine.status, "valid", genuine.summary);
  t.same(genuine.trust, [{ ...world.trust, name: "Tracemark BatchAnchor" }], "the report names the service's own trust");
  for (const vector of vectors) {
    const report = await verify(forged.get(vector.name)!);
    t.equal(report.status, "invalid", `${vector.name}: ${report.summary}`);
    t.same(firstFailure(report), vector.expectedFailure, `${vector.name}: ${report.summary}`);
  }
});
