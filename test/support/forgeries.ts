// Materialises the on-chain tampered vectors (test/fixtures/receipts/tampered/on-chain/*.json) on
// a real chain. Their receipts cannot be frozen, because block and transaction hashes depend on
// when and where they are mined; a vector names a scenario, and this module plays it out: the
// attacker's contracts and transactions are real, only the receipt around them is forged.
//
// The world: the operator deploys the trusted BatchAnchor and anchors one root early; the trust
// then names a deploy block after that anchor, so that "anchored before deployment" can be shown
// with a genuine contract (a real contract cannot have anchored before it existed). Then the
// genuine batch (the fixture receipts' 7-leaf root) and one more root are anchored.
import { readdirSync, readFileSync } from "node:fs";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ContractFactory, hexlify, randomBytes } from "ethers";
import type { InterfaceAbi, JsonRpcSigner, Provider } from "ethers";
import { batchAnchorAt } from "../../src/chain/artifact.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";
import { leafHash, RECEIPT_FORMAT, recordHash, sha256Hex } from "../../src/merkle/index.ts";
import type { MinedAnchor, Receipt } from "../../src/merkle/index.ts";
import type { TrustAnchor } from "../../src/verifier/trust.ts";
import { RECEIPTS, validReceipts } from "./receipt-fixtures.ts";

export const SCENARIOS = [
  "lookalike-contract",
  "yes-to-everything-contract",
  "foreign-tx-hash",
  "tx-hash-never-sent",
  "tx-reverted",
  "tx-of-another-root",
  "anchored-before-deployment",
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface OnChainVector {
  name: string;
  description: string;
  scenario: Scenario;
  /** The valid fixture the forged receipt starts from, or "invented" for a made-up record. */
  base: string;
  expectedFailure: { step: string; code: string };
}

export function onChainVectors(): OnChainVector[] {
  const dir = `${RECEIPTS}tampered/on-chain/`;
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ""), ...(JSON.parse(readFileSync(`${dir}${f}`, "utf8")) as Omit<OnChainVector, "name">) }));
}

export interface ForgeryWorld {
  chainId: number;
  /** What a verifier is told to trust: the operator's contract, with a deploy block after the early anchor. */
  trust: TrustAnchor;
  /** The genuine receipt of every scenario that starts from one: the fixture batch, anchored by the trusted contract. */
  genuine: Receipt;
  /** Anchored by the trusted contract before the trust's deployBlock. */
  early: Receipt;
  /** A second genuine root's anchoring transaction, for "a transaction of the trusted contract, but for another root". */
  otherRootTx: string;
  materialise(scenario: Scenario): Promise<Receipt>;
}

const YES_ARTIFACT = fileURLToPath(new URL("../../artifacts/contracts/test/YesToEverythingAnchor.sol/YesToEverythingAnchor.json", import.meta.url));

function yesArtifact(): { abi: InterfaceAbi; bytecode: string } {
  if (!existsSync(YES_ARTIFACT)) throw new Error(`${YES_ARTIFACT} is missing: run \`npm run build:contracts\``);
  return JSON.parse(readFileSync(YES_ARTIFACT, "utf8")) as { abi: InterfaceAbi; bytecode: string };
}

/** A made-up record in a batch of one (the root is its leaf hash), without an anchor. */
export function inventedReceipt(label: string): Receipt {
  const envelope = {
    v: 1 as const,
    kind: "evidence.hash",
    subject: `urn:tracemark:case:forged-${label}`,
    contentHash: sha256Hex(`forged content ${label}`),
    mediaType: "application/octet-stream",
    submitter: "anonymous",
    submittedAt: "2025-06-01T12:00:00.000Z",
    prev: null,
  };
  const hash = recordHash(envelope);
  const salt = sha256Hex(`forged salt ${label}`);
  const leaf = leafHash(salt, hash);
  return {
    format: RECEIPT_FORMAT,
    record: { envelope, recordHash: hash, salt },
    inclusion: { leafHash: leaf, leafIndex: 0, treeSize: 1, auditPath: [], root: leaf },
    anchor: null,
  };
}

/** The receipt's anchor as the chain has it for transaction `txHash` of `contract`. */
async function anchoredBy(provider: Provider, receipt: Receipt, contract: string, txHash: string, chainId: number): Promise<Receipt> {
  const mined = await provider.getTransactionReceipt(txHash);
  if (mined === null) throw new Error(`${txHash} is not mined`);
  const block = (await provider.getBlock(mined.blockNumber))!;
  const anchor: MinedAnchor = {
    status: "anchored",
    chainId,
    contract,
    batchSeq: 1,
    txHash,
    blockNumber: block.number,
    blockHash: block.hash!,
    blockTime: new Date(block.timestamp * 1000).toISOString(),
  };
  return { ...structuredClone(receipt), anchor };
}

async function anchorRoot(operator: JsonRpcSigner, contract: string, receipt: Receipt): Promise<string> {
  const tx = await batchAnchorAt(contract, operator).anchor(`0x${receipt.inclusion!.root}`, receipt.inclusion!.treeSize);
  await tx.wait();
  return tx.hash;
}

/**
 * Builds the world on the chain behind `provider`: `operator` holds the trusted contract, `forger`
 * is anybody else. Leaves the chain with automine on, as it found it.
 */
export async function buildForgeryWorld(provider: Provider & { send(method: string, params: unknown[]): Promise<unknown> }, operator: JsonRpcSigner, forger: JsonRpcSigner): Promise<ForgeryWorld> {
  const chainId = Number((await provider.getNetwork()).chainId);
  const { address: contract } = await deployBatchAnchor(operator);
  const early = await anchoredBy(provider, inventedReceipt("early"), contract, await anchorRoot(operator, contract, inventedReceipt("early")), chainId);
  await provider.send("evm_mine", []);
  const deployBlock = await provider.getBlockNumber();
  const trust: TrustAnchor = { chainId, contract, deployBlock, name: "the operator's BatchAnchor (test)" };

  const batch = structuredClone(validReceipts().find((f) => f.name === "evidence-file")!.receipt) as Receipt;
  const genuine = await anchoredBy(provider, batch, contract, await anchorRoot(operator, contract, batch), chainId);
  const otherRootTx = await anchorRoot(operator, contract, inventedReceipt("another genuine root"));

  const forge = async (scenario: Scenario): Promise<Receipt> => {
    switch (scenario) {
      case "lookalike-contract": {
        // The forger's own copy of BatchAnchor: real code, real anchor, the wrong contract.
        const { address } = await deployBatchAnchor(forger);
        const forged = inventedReceipt("lookalike");
        return anchoredBy(provider, forged, address, await anchorRoot(forger, address, forged), chainId);
      }
      case "yes-to-everything-contract": {
        // anchorOf claims block 1, long before the trusted contract existed.
        const { abi, bytecode } = yesArtifact();
        const yes = await (await new ContractFactory(abi, bytecode, forger).deploy()).waitForDeployment();
        const address = await yes.getAddress();
        const forged = inventedReceipt("yes-to-everything");
        const one = (await provider.getBlock(1))!;
        const tx = await yes.getFunction("claim")(`0x${forged.inclusion!.root}`, 1, 1, one.timestamp);
        await tx.wait();
        const receipt = await anchoredBy(provider, forged, address, tx.hash, chainId);
        return { ...receipt, anchor: { ...(receipt.anchor as MinedAnchor), blockNumber: 1, blockHash: one.hash!, blockTime: new Date(one.timestamp * 1000).toISOString() } };
      }
      case "foreign-tx-hash": {
        const transfer = await forger.sendTransaction({ to: await operator.getAddress(), value: 1n });
        await transfer.wait();
        return { ...structuredClone(genuine), anchor: { ...(genuine.anchor as MinedAnchor), txHash: transfer.hash } };
      }
      case "tx-hash-never-sent":
        return { ...structuredClone(genuine), anchor: { ...(genuine.anchor as MinedAnchor), txHash: hexlify(randomBytes(32)) } };
      case "tx-reverted": {
        // Anchoring the same root again reverts (RootAlreadyAnchored) but is mined, status 0.
        // Automine off so that the node queues it instead of refusing it at once.
        await provider.send("evm_setAutomine", [false]);
        let hash: string;
        try {
          const data = batchAnchorAt(contract, operator).interface.encodeFunctionData("anchor", [`0x${genuine.inclusion!.root}`, genuine.inclusion!.treeSize]);
          hash = await operator.sendUncheckedTransaction({ to: contract, data, gasLimit: 200_000 });
          await provider.send("evm_mine", []);
        } finally {
          await provider.send("evm_setAutomine", [true]);
        }
        return { ...structuredClone(genuine), anchor: { ...(genuine.anchor as MinedAnchor), txHash: hash } };
      }
      case "tx-of-another-root":
        return { ...structuredClone(genuine), anchor: { ...(genuine.anchor as MinedAnchor), txHash: otherRootTx } };
      case "anchored-before-deployment":
        return structuredClone(early);
    }
  };
  return { chainId, trust, genuine, early, otherRootTx, materialise: forge };
}
