// verifyReceipt against a real EVM: Hardhat's in-process network with BatchAnchor deployed, both
// through an ethers provider and through an http JSON-RPC endpoint (the CLI's --rpc).
import t from "tap";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BrowserProvider, ContractFactory } from "ethers";
import { network } from "hardhat";
import { CHAIN_STEPS, OFFLINE_STEPS } from "../../src/merkle/index.ts";
import type { MinedAnchor, Receipt, StepResult, VerificationReport } from "../../src/merkle/index.ts";
import { verifyReceipt } from "../../src/verifier/index.ts";
import { buildForgeryWorld, onChainVectors } from "../support/forgeries.ts";
import { tamperedReceipts, validReceipts } from "../support/receipt-fixtures.ts";

const connection = await network.create();
t.teardown(() => connection.close());
const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
const signer = await provider.getSigner(0);
// The trusted contract, an early anchor before its trusted deploy block, and the fixture batch
// (7 leaves) anchored for real: receipts then carry this chain's values (test/support/forgeries.ts).
const world = await buildForgeryWorld(provider, signer, await provider.getSigner(1));
const { chainId } = world;
const contract = world.trust.contract;
const trust = [world.trust];

const fixture = (name: string) => structuredClone(validReceipts().find((f) => f.name === name)!.receipt) as Receipt;
const evidence = fixture("evidence-file");
const realAnchor = world.genuine.anchor as MinedAnchor;
const block = (await provider.getBlock(realAnchor.blockNumber))!;
/** A copy of `receipt` with this chain's anchor, changed by `anchor`. */
const anchored = (receipt: Receipt, anchor: Partial<MinedAnchor> = {}): Receipt => ({
  ...structuredClone(receipt),
  anchor: { ...realAnchor, ...anchor } as MinedAnchor,
});
const neverSent = `0x${"5e".repeat(32)}`;

const step = (report: VerificationReport, name: string) => report.steps.find((s) => s.step === name) as StepResult;
const failed = (report: VerificationReport) => report.steps.find((s) => s.ok === false);

t.test("a receipt whose root is anchored by the trusted contract verifies on chain, with the block time read from the chain", async (t) => {
  const report = await verifyReceipt(anchored(evidence), { provider, trust });
  t.equal(report.status, "valid", report.summary);
  t.equal(report.mode, "chain");
  t.same(report.steps.map((s) => s.step), [...OFFLINE_STEPS, ...CHAIN_STEPS]);
  t.same(report.steps.map((s) => s.step), ["format", "recordHash", "contentHash", "leafHash", "auditPath", "trust", "chainId", "contract", "rootOnChain", "inclusionOnChain", "transaction", "anchorLog", "blockTime", "deployBlock"]);
  t.same(report.steps.map((s) => s.ok), [true, true, null, true, true, true, true, true, true, true, true, true, true, true]);
  t.match(report.onChain, { chainId, contract, seq: 2, treeSize: 7, blockNumber: block.number, blockHash: block.hash });
  t.equal(Date.parse(report.onChain!.blockTime), block.timestamp * 1000);
  t.ok(report.onChain!.confirmations >= 1);
  t.same(report.trust, trust, "the report names the trust it was checked against");
  t.match(report.summary, new RegExp(`by the trusted contract ${contract}`));
});

t.test("without trust every step still runs, but the verdict is untrusted, never valid", async (t) => {
  const report = await verifyReceipt(anchored(evidence), { provider });
  t.equal(report.status, "untrusted", report.summary);
  t.equal(report.valid, false);
  t.match(step(report, "trust"), { ok: null, reason: /no trusted contract given/ });
  t.same(report.steps.filter((s) => s.ok === false), [], "nothing failed");
  t.equal(step(report, "anchorLog").ok, true, "the transaction was still checked");
  t.equal(report.trust, undefined);
  t.match(report.summary, /^untrusted: checked, but not against a trusted contract/);
});

t.test("an empty trust list is no trust", async (t) => {
  t.equal((await verifyReceipt(anchored(evidence), { provider, trust: [] })).status, "untrusted");
});

t.test("compares the trusted address case-insensitively (EIP-55 or lower case)", async (t) => {
  const lower = [{ ...world.trust, contract: contract.toLowerCase() }];
  t.equal((await verifyReceipt(anchored(evidence), { provider, trust: lower })).status, "valid");
  t.equal((await verifyReceipt(anchored(evidence, { contract: contract.toLowerCase() }), { provider, trust })).status, "valid");
});

t.test("a contract trusted on another chain is not trusted on this one", async (t) => {
  const report = await verifyReceipt(anchored(evidence), { provider, trust: [{ ...world.trust, chainId: 1 }] });
  t.match(failed(report), { step: "trust", code: "CONTRACT_NOT_TRUSTED", reason: /no contract on chain 31337 is trusted/ });
});

t.test("every leaf of the anchored batch verifies on chain", async (t) => {
  for (const name of ["provenance-event", "last-leaf", "first-leaf-sealed-not-anchored"]) {
    const report = await verifyReceipt(anchored(fixture(name)), { provider, trust });
    t.equal(report.status, "valid", `${name}: ${report.summary}`);
  }
});

for (const vector of onChainVectors()) {
  t.test(`rejects at ${vector.expectedFailure.step} with ${vector.expectedFailure.code}: ${vector.description} (${vector.name})`, async (t) => {
    const receipt = await world.materialise(vector.scenario);
    const report = await verifyReceipt(receipt, { provider, trust });
    t.equal(report.status, "invalid", report.summary);
    const failure = failed(report);
    t.same({ step: failure?.step, code: failure?.code }, vector.expectedFailure, failure?.reason ?? "no step failed");
    t.same(report.steps.slice(0, 5).map((s) => s.ok), [true, true, null, true, true], "the receipt is internally consistent: only the chain and the trust can tell");
  });
}

t.test("without trust a lookalike contract's receipt is untrusted: it passes every other step", async (t) => {
  const report = await verifyReceipt(await world.materialise("lookalike-contract"), { provider });
  t.equal(report.status, "untrusted", report.summary);
});

t.test("even without trust, a contract that backdates its anchor is caught by its own transaction's log", async (t) => {
  const report = await verifyReceipt(await world.materialise("yes-to-everything-contract"), { provider });
  t.match(failed(report), { step: "anchorLog", code: "ANCHOR_LOG_MISMATCH", reason: /but anchorOf says block 1/ });
});

t.test("even if someone trusted the yes-to-everything contract, its block-1 claim fails the log and the deploy block", async (t) => {
  const receipt = await world.materialise("yes-to-everything-contract");
  const address = receipt.anchor!.contract;
  const deployBlock = (await provider.getTransactionReceipt(receipt.anchor!.txHash))!.blockNumber - 1;
  const report = await verifyReceipt(receipt, { provider, trust: [{ chainId, contract: address, deployBlock, name: "misplaced trust" }] });
  t.match(failed(report), { step: "anchorLog", code: "ANCHOR_LOG_MISMATCH" });
  t.match(step(report, "deployBlock"), { ok: false, code: "ANCHORED_BEFORE_DEPLOYMENT", reason: /anchored in block 1, before/ });
});

t.test("fails chainId when the RPC serves another chain than the receipt names, and asks nothing more", async (t) => {
  const report = await verifyReceipt(anchored(evidence, { chainId: 1 }), { provider });
  t.equal(report.status, "invalid");
  t.same(failed(report), { step: "chainId", ok: false, code: "CHAIN_ID_MISMATCH", reason: `the RPC serves chain ${chainId}, the receipt names chain 1` });
  t.same(report.steps.slice(7).map((s) => s.ok), [null, null, null, null, null, null, null]);
});

t.test("fails contract when there is no code at the receipt's contract address", async (t) => {
  const report = await verifyReceipt(anchored(evidence, { contract: await signer.getAddress() }), { provider });
  t.match(failed(report), { step: "contract", code: "CONTRACT_NOT_FOUND" });
});

t.test("fails rootOnChain when the contract there is not a BatchAnchor", async (t) => {
  // Creation code that deploys a contract of one STOP instruction: every call returns nothing.
  const factory = new ContractFactory([], "0x6001600c60003960016000f300", signer);
  const other = await (await factory.deploy()).getAddress();
  const report = await verifyReceipt(anchored(evidence, { contract: other }), { provider, trust });
  t.match(failed(report), { step: "trust", code: "CONTRACT_NOT_TRUSTED" });
  t.match(step(report, "rootOnChain"), { ok: false, code: "CONTRACT_CALL_FAILED" });
  t.match(step(report, "anchorLog"), { ok: false, code: "ANCHOR_LOG_MISSING", reason: /another contract/ });
  t.equal(report.status, "invalid");
});

t.test("fails rootOnChain with ROOT_NOT_ANCHORED for a root the contract never anchored", async (t) => {
  const report = await verifyReceipt(anchored(fixture("single-leaf")), { provider, trust });
  t.match(failed(report), { step: "rootOnChain", code: "ROOT_NOT_ANCHORED" });
  t.equal(step(report, "blockTime").ok, null);
});

t.test("is pending, not invalid, while the anchoring transaction of a pending anchor is not mined", async (t) => {
  const receipt = fixture("single-leaf");
  const pending = { ...realAnchor, status: "pending", txHash: neverSent, blockNumber: null, blockHash: null, blockTime: null } as const;
  const report = await verifyReceipt({ ...receipt, anchor: pending }, { provider, trust });
  t.equal(report.status, "pending", report.summary);
  t.equal(step(report, "rootOnChain").ok, null);
  t.equal(step(report, "transaction").ok, null);
  t.match(report.summary, /not mined yet/);
});

t.test("a pending anchor whose transaction anchored another root is invalid, not pending", async (t) => {
  const pending = { ...realAnchor, status: "pending", blockNumber: null, blockHash: null, blockTime: null } as const;
  const report = await verifyReceipt({ ...fixture("single-leaf"), anchor: pending }, { provider, trust });
  t.match(failed(report), { step: "anchorLog", code: "ANCHOR_LOG_MISMATCH" });
});

t.test("verifies a receipt issued while its anchor was pending once the chain has mined it", async (t) => {
  const pending = { ...realAnchor, status: "pending", blockNumber: null, blockHash: null, blockTime: null } as const;
  const report = await verifyReceipt({ ...structuredClone(evidence), anchor: pending }, { provider, trust });
  t.equal(report.status, "valid", report.summary);
  t.equal(report.onChain?.blockNumber, block.number, "the block comes from the chain");
});

t.test("is pending when the batch is sealed but the receipt has no anchor yet", async (t) => {
  const report = await verifyReceipt(fixture("first-leaf-sealed-not-anchored"), { provider, trust });
  t.equal(report.status, "pending");
  t.same(report.steps.slice(5).map((s) => s.ok), CHAIN_STEPS.map(() => null));
});

t.test("catches on chain the tree size that RFC 9162 verification alone cannot see", async (t) => {
  const vector = tamperedReceipts().find((v) => v.name === "tree-size-same-shape")!;
  const report = await verifyReceipt(anchored(vector.receipt as Receipt), { provider, trust });
  t.same(report.steps.slice(0, 5).map((s) => s.ok), [true, true, null, true, true], "offline steps pass");
  t.match(failed(report), vector.expectedFailure);
  t.match(step(report, "anchorLog"), { ok: false, code: "ANCHOR_LOG_MISMATCH", reason: /a tree of 7 leaves, not 8/ });
});

t.test("flags a receipt whose block number, hash or time disagree with the chain", async (t) => {
  for (const change of [{ blockNumber: block.number + 1 }, { blockHash: `0x${"ab".repeat(32)}` }, { blockTime: "2020-01-01T00:00:00Z" }]) {
    const report = await verifyReceipt(anchored(evidence, change), { provider, trust });
    t.match(failed(report), { step: "blockTime", code: "ANCHOR_MISMATCH" }, Object.keys(change).join());
    t.match(step(report, "blockTime").reason, /ask the issuer for an updated receipt/);
  }
});

t.test("reports an altered envelope as invalid even though its root is anchored", async (t) => {
  const receipt = anchored(evidence);
  receipt.record.envelope.subject = "urn:tracemark:case:other";
  const report = await verifyReceipt(receipt, { provider, trust });
  t.match(failed(report), { step: "recordHash", code: "RECORD_HASH_MISMATCH" });
  t.equal(step(report, "rootOnChain").ok, true, "the chain steps still ran");
});

t.test("fails inclusionOnChain when the contract's verifyInclusion rejects the path", async (t) => {
  const receipt = anchored(evidence);
  receipt.inclusion!.auditPath.reverse();
  const report = await verifyReceipt(receipt, { provider, trust });
  t.match(failed(report), { step: "auditPath", code: "AUDIT_PATH_INVALID" });
  t.match(step(report, "inclusionOnChain"), { ok: false, code: "INCLUSION_REJECTED_ON_CHAIN" });
});

// An http JSON-RPC endpoint in front of the in-process network, for rpcUrl and the CLI's --rpc.
const rpc = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", async () => {
    const answer = async (call: { id: unknown; method: string; params?: unknown[] }) => {
      try {
        return { jsonrpc: "2.0", id: call.id, result: await connection.provider.request({ method: call.method, params: call.params ?? [] }) };
      } catch (error) {
        const e = error as { code?: number; message?: string; data?: unknown };
        return { jsonrpc: "2.0", id: call.id, error: { code: e.code ?? -32603, message: e.message ?? String(error), data: e.data } };
      }
    };
    const payload = JSON.parse(body) as Parameters<typeof answer>[0] | Parameters<typeof answer>[0][];
    const out = Array.isArray(payload) ? await Promise.all(payload.map(answer)) : await answer(payload);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify(out));
  });
});
await new Promise<void>((resolve) => rpc.listen(0, "127.0.0.1", resolve));
t.teardown(() => new Promise<void>((resolve) => rpc.close(() => resolve())));
const rpcUrl = `http://127.0.0.1:${(rpc.address() as AddressInfo).port}`;

t.test("verifies through an http RPC URL as well as through a provider", async (t) => {
  const report = await verifyReceipt(anchored(evidence), { rpcUrl, trust });
  t.equal(report.status, "valid", report.summary);
});

t.test("the CLI exits 0 for an anchored receipt checked with --rpc and --contract, 5 without trust, and 1 for a wrong chain", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tracemark-chain-"));
  const bin = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
  const run = (receipt: Receipt, trustArgs = ["--contract", contract, "--chain-id", String(chainId)]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      const file = join(dir, `${Math.random()}.json`);
      writeFileSync(file, JSON.stringify(receipt));
      execFile(process.execPath, [bin, "verify", file, "--rpc", rpcUrl, ...trustArgs], { timeout: 30_000 }, (error, stdout) =>
        resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout }),
      );
    });
  const ok = await run(anchored(evidence));
  t.equal(ok.code, 0, ok.stdout);
  t.match(ok.stdout, /✓ blockTime +anchored in block \d+ at /);
  t.match(ok.stdout, /✓ trust +contract 0x[0-9a-fA-F]{40} on chain 31337 is trusted \(--contract/);
  t.match(ok.stdout, /^valid: the root is anchored on chain 31337/m);
  const untrusted = await run(anchored(evidence), []);
  t.equal(untrusted.code, 5, untrusted.stdout);
  t.match(untrusted.stdout, /^untrusted: /m);
  const wrong = await run(anchored(evidence, { chainId: 5 }));
  t.equal(wrong.code, 1);
  t.match(wrong.stdout, /✗ chainId +CHAIN_ID_MISMATCH/);
});
