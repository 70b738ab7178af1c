// Verification steps 6–10 (docs/receipt-v1.md "Verification"): what the chain, asked through the
// one RPC the caller trusts, says about the receipt's anchor. Nothing here is taken from the
// receipt that the chain can answer itself: the anchoring block and its time are read from the
// chain and only compared with what the receipt claims.
import { Contract, getAddress, isError } from "ethers";
import type { Provider } from "ethers";
import { CHAIN_STEPS, skipped } from "../merkle/report.ts";
import type { OnChainAnchor, StepName, StepResult } from "../merkle/report.ts";
import type { Inclusion, MinedAnchor, Receipt } from "../merkle/receipt.ts";
import type { VerificationCode } from "../merkle/errors.ts";
import { BATCH_ANCHOR_VIEWS } from "./abi.ts";

export interface ChainOutcome {
  steps: StepResult[];
  /** Set when nothing contradicts the receipt but the anchor is not on chain yet. */
  pending?: string;
  onChain?: OnChainAnchor;
}

interface AnchorView {
  seq: bigint;
  treeSize: bigint;
  blockNumber: bigint;
  timestamp: bigint;
}

const fail = (step: StepName, code: VerificationCode, reason: string): StepResult => ({ step, ok: false, code, reason });
const pass = (step: StepName, reason: string): StepResult => ({ step, ok: true, reason });

/** A failed RPC call: the contract's answer was a revert or not decodable, or the RPC failed. */
function callFailure(step: StepName, what: string, error: unknown): StepResult {
  const message = error instanceof Error ? (error as { shortMessage?: string }).shortMessage ?? error.message : String(error);
  if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) {
    return fail(step, "CONTRACT_CALL_FAILED", `${what} failed: the contract is not a Tracemark BatchAnchor (${message})`);
  }
  return fail(step, "RPC_ERROR", `${what} failed at the RPC: ${message}`);
}

/** The remaining steps, skipped for `reason`. */
function skipRest(steps: StepResult[], reason: string): StepResult[] {
  const done = new Set(steps.map((s) => s.step));
  return [...steps, ...CHAIN_STEPS.filter((s) => !done.has(s)).map((s) => skipped(s, reason))];
}

const rfc3339 = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

export async function chainSteps(
  receipt: Receipt & { inclusion: Inclusion; anchor: NonNullable<Receipt["anchor"]> },
  provider: Provider,
): Promise<ChainOutcome> {
  const { inclusion, anchor } = receipt;
  const steps: StepResult[] = [];

  // 6. chainId: the RPC serves the chain the receipt names.
  let chainId: bigint;
  try {
    chainId = (await provider.getNetwork()).chainId;
  } catch (error) {
    steps.push(callFailure("chainId", "eth_chainId", error));
    return { steps: skipRest(steps, "the chain could not be asked") };
  }
  if (chainId !== BigInt(anchor.chainId)) {
    steps.push(fail("chainId", "CHAIN_ID_MISMATCH", `the RPC serves chain ${chainId}, the receipt names chain ${anchor.chainId}`));
    return { steps: skipRest(steps, "wrong chain") };
  }
  steps.push(pass("chainId", `chain ${chainId}`));

  // 7. contract: there is code at the anchor contract's address.
  try {
    getAddress(anchor.contract);
  } catch {
    steps.push(fail("contract", "MALFORMED_RECEIPT", `anchor.contract ${anchor.contract} has a wrong EIP-55 checksum`));
    return { steps: skipRest(steps, "no usable contract address") };
  }
  try {
    const code = await provider.getCode(anchor.contract);
    if (code === "0x") {
      steps.push(fail("contract", "CONTRACT_NOT_FOUND", `no contract at ${anchor.contract} on chain ${chainId}`));
      return { steps: skipRest(steps, "no anchor contract") };
    }
  } catch (error) {
    steps.push(callFailure("contract", "eth_getCode", error));
    return { steps: skipRest(steps, "the chain could not be asked") };
  }
  steps.push(pass("contract", `contract at ${anchor.contract}`));

  const contract = new Contract(anchor.contract, BATCH_ANCHOR_VIEWS, provider);
  const root = `0x${inclusion.root}`;

  // 8. rootOnChain: the contract holds the root, for a tree of the receipt's size.
  let view: AnchorView | undefined;
  let pending: string | undefined;
  try {
    const result = (await contract.getFunction("anchorOf").staticCall(root)) as AnchorView;
    view = { seq: result.seq, treeSize: result.treeSize, blockNumber: result.blockNumber, timestamp: result.timestamp };
  } catch (error) {
    steps.push(callFailure("rootOnChain", "anchorOf(root)", error));
  }
  if (view !== undefined) {
    if (view.seq === 0n) {
      if (anchor.status === "pending") {
        pending = `the anchoring transaction ${anchor.txHash} is not mined yet`;
        steps.push({ step: "rootOnChain", ok: null, reason: `the root is not on chain yet (${pending})` });
      } else {
        steps.push(fail("rootOnChain", "ROOT_NOT_ANCHORED", `contract ${anchor.contract} has never anchored root ${inclusion.root}`));
      }
      view = undefined;
    } else if (view.treeSize !== BigInt(inclusion.treeSize)) {
      steps.push(fail("rootOnChain", "TREE_SIZE_MISMATCH", `the root was anchored for a tree of ${view.treeSize} leaves, the receipt says ${inclusion.treeSize}`));
      view = undefined;
    } else {
      steps.push(pass("rootOnChain", `anchored as number ${view.seq}, tree of ${view.treeSize} leaves`));
    }
  }

  // 9. inclusionOnChain: the contract's own RFC 9162 verification accepts the proof (eth_call).
  try {
    const ok = (await contract.getFunction("verifyInclusion").staticCall(
      `0x${inclusion.leafHash}`,
      inclusion.leafIndex,
      inclusion.treeSize,
      inclusion.auditPath.map((h) => `0x${h}`),
      root,
    )) as boolean;
    steps.push(ok ? pass("inclusionOnChain", "the contract's verifyInclusion accepts the audit path") : fail("inclusionOnChain", "INCLUSION_REJECTED_ON_CHAIN", "the contract's verifyInclusion rejects the audit path"));
  } catch (error) {
    steps.push(callFailure("inclusionOnChain", "verifyInclusion(...)", error));
  }

  // 10. blockTime: the anchoring block, read from the chain, and what the receipt says about it.
  if (view === undefined) {
    steps.push(skipped("blockTime", pending !== undefined ? "not anchored yet" : "the root is not anchored"));
    return pending === undefined ? { steps } : { steps, pending };
  }
  const { step, onChain } = await blockTimeStep(provider, anchor, view, Number(chainId));
  steps.push(step);
  return onChain === undefined ? { steps } : { steps, onChain };
}

async function blockTimeStep(
  provider: Provider,
  anchor: NonNullable<Receipt["anchor"]>,
  view: AnchorView,
  chainId: number,
): Promise<{ step: StepResult; onChain?: OnChainAnchor }> {
  let block;
  let head: number;
  try {
    [block, head] = await Promise.all([provider.getBlock(view.blockNumber), provider.getBlockNumber()]);
  } catch (error) {
    return { step: callFailure("blockTime", `eth_getBlockByNumber(${view.blockNumber})`, error) };
  }
  if (block === null || block.hash === null) {
    return { step: fail("blockTime", "RPC_ERROR", `the RPC does not know block ${view.blockNumber}, where the contract says the root was anchored`) };
  }
  const blockTime = rfc3339(BigInt(block.timestamp));
  const onChain: OnChainAnchor = {
    chainId,
    contract: anchor.contract,
    seq: Number(view.seq),
    treeSize: Number(view.treeSize),
    blockNumber: block.number,
    blockHash: block.hash,
    blockTime,
    confirmations: Math.max(0, head - block.number + 1),
  };
  const at = `block ${block.number} at ${blockTime} (${onChain.confirmations} confirmations)`;
  if (BigInt(block.timestamp) !== view.timestamp) {
    return { step: fail("blockTime", "ANCHOR_MISMATCH", `the contract stored time ${rfc3339(view.timestamp)} but ${at}`), onChain };
  }
  const mismatches = anchor.status === "pending" ? [] : receiptDisagreements(anchor, onChain);
  if (mismatches.length > 0) {
    return {
      step: fail("blockTime", "ANCHOR_MISMATCH", `anchored in ${at}, but the receipt says ${mismatches.join(", ")}: ask the issuer for an updated receipt`),
      onChain,
    };
  }
  return { step: pass("blockTime", `anchored in ${at}`), onChain };
}

/** What the receipt's anchor claims that the chain does not confirm (e.g. after a reorg). */
function receiptDisagreements(anchor: MinedAnchor, onChain: OnChainAnchor): string[] {
  const out: string[] = [];
  if (anchor.blockNumber !== onChain.blockNumber) out.push(`block ${anchor.blockNumber}`);
  if (anchor.blockHash !== onChain.blockHash.toLowerCase()) out.push(`block hash ${anchor.blockHash}`);
  if (Date.parse(anchor.blockTime) !== Date.parse(onChain.blockTime)) out.push(`time ${anchor.blockTime}`);
  return out;
}
