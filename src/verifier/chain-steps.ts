// Verification steps 6–14 (docs/receipt-v1.md "Verification"): whether the receipt's contract is
// one the caller trusts, and what the chain, asked through the one RPC the caller gave, says about
// the anchor. Nothing here is taken from the receipt that the chain can answer itself: the
// anchoring transaction, its block and that block's time are read from the chain and only
// compared with what the receipt claims; which contract counts comes from the caller's trust.
import { Contract, getAddress } from "ethers";
import type { Provider } from "ethers";
import { CHAIN_STEPS, skipped } from "../merkle/report.ts";
import type { OnChainAnchor, StepResult } from "../merkle/report.ts";
import type { Anchor, Inclusion, Receipt } from "../merkle/receipt.ts";
import { BATCH_ANCHOR_VIEWS } from "./abi.ts";
import { anchorLogStep, transactionStep } from "./anchor-tx-steps.ts";
import type { AnchorLog, AnchorView } from "./anchor-tx-steps.ts";
import { blockTimeStep, deployBlockStep } from "./block-steps.ts";
import { callFailure, fail, pass } from "./step-result.ts";
import { trustedAnchorFor } from "./trust.ts";
import type { TrustAnchor } from "./trust.ts";

export interface ChainOutcome {
  steps: StepResult[];
  /** Set when nothing contradicts the receipt but the anchor is not on chain yet. */
  pending?: string;
  onChain?: OnChainAnchor;
}

/** The remaining steps, skipped for `reason`. */
function skipRest(steps: StepResult[], reason: string): StepResult[] {
  const done = new Set(steps.map((s) => s.step));
  return [...steps, ...CHAIN_STEPS.filter((s) => !done.has(s)).map((s) => skipped(s, reason))];
}

export const NO_TRUST = "no trusted contract given: checked against the receipt's own contract, so the result cannot be valid";

/**
 * `trust`: the receipt's chain and contract are in the caller's trust (never the receipt's word).
 * Needs no RPC. Without any trust the step is skipped and the report can at best be `untrusted`.
 */
export function trustStep(anchor: Anchor, trust: readonly TrustAnchor[] | undefined): { step: StepResult; trusted?: TrustAnchor } {
  if (trust === undefined || trust.length === 0) return { step: skipped("trust", NO_TRUST) };
  const trusted = trustedAnchorFor(trust, anchor.chainId, anchor.contract);
  if (trusted !== undefined) {
    return { step: pass("trust", `contract ${anchor.contract} on chain ${anchor.chainId} is trusted (${trusted.name}, deployed in block ${trusted.deployBlock})`), trusted };
  }
  const onChain = trust.filter((a) => a.chainId === anchor.chainId);
  const instead =
    onChain.length > 0
      ? `the trusted contract on chain ${anchor.chainId} is ${onChain.map((a) => `${a.contract} (${a.name})`).join(", ")}`
      : `no contract on chain ${anchor.chainId} is trusted (trusted: ${trust.map((a) => `${a.contract} on chain ${a.chainId}`).join(", ")})`;
  return { step: fail("trust", "CONTRACT_NOT_TRUSTED", `the receipt names contract ${anchor.contract} on chain ${anchor.chainId}, but ${instead}`) };
}

export async function chainSteps(
  receipt: Receipt & { inclusion: Inclusion; anchor: Anchor },
  provider: Provider,
  trust?: readonly TrustAnchor[],
): Promise<ChainOutcome> {
  const { inclusion, anchor } = receipt;
  const trustOutcome = trustStep(anchor, trust);
  const steps: StepResult[] = [trustOutcome.step];

  // chainId: the RPC serves the chain the receipt names.
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

  // contract: there is code at the anchor contract's address.
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
  const root = await rootOnChainStep(contract, receipt);
  steps.push(root.step, await inclusionOnChainStep(contract, inclusion));

  // transaction and anchorLog: the receipt's txHash is the transaction that anchored this root.
  const tx = await transactionStep(provider, anchor, chainId, root.anchored);
  steps.push(tx.step);
  let log: AnchorLog | undefined;
  if (tx.receipt === undefined) {
    steps.push(skipped("anchorLog", tx.pending !== undefined ? "not mined yet" : "no successful transaction to read"));
  } else {
    const logOutcome = anchorLogStep(tx.receipt, anchor.contract, inclusion, root.view);
    steps.push(logOutcome.step);
    log = logOutcome.log;
  }

  const pending = root.pending ?? (root.anchored ? undefined : tx.pending);
  if (root.view === undefined) {
    const why = pending !== undefined ? "not anchored yet" : root.anchored ? "anchored for another tree size" : "the root is not anchored";
    steps.push(skipped("blockTime", why), skipped("deployBlock", why));
    return pending === undefined ? { steps } : { steps, pending };
  }
  const { step, onChain } = await blockTimeStep(provider, anchor, root.view, log, Number(chainId));
  steps.push(step);

  // deployBlock: against the trusted contract's deployment; meaningless without one.
  const { trusted } = trustOutcome;
  const blocks = [Number(root.view.blockNumber), ...(log === undefined ? [] : [log.blockNumber])];
  steps.push(trusted === undefined ? skipped("deployBlock", trust === undefined || trust.length === 0 ? "no trusted contract given" : "the contract is not trusted") : deployBlockStep(trusted, blocks));
  return onChain === undefined ? { steps } : { steps, onChain };
}

/** rootOnChain: the contract holds the root, for a tree of the receipt's size. */
async function rootOnChainStep(
  contract: Contract,
  receipt: Receipt & { inclusion: Inclusion; anchor: Anchor },
): Promise<{ step: StepResult; view?: AnchorView; anchored: boolean; pending?: string }> {
  const { inclusion, anchor } = receipt;
  let view: AnchorView;
  try {
    const result = (await contract.getFunction("anchorOf").staticCall(`0x${inclusion.root}`)) as AnchorView;
    view = { seq: result.seq, treeSize: result.treeSize, blockNumber: result.blockNumber, timestamp: result.timestamp };
  } catch (error) {
    return { step: callFailure("rootOnChain", "anchorOf(root)", error), anchored: false };
  }
  if (view.seq === 0n) {
    if (anchor.status === "pending") {
      const pending = `the anchoring transaction ${anchor.txHash} is not mined yet`;
      return { step: { step: "rootOnChain", ok: null, reason: `the root is not on chain yet (${pending})` }, anchored: false, pending };
    }
    return { step: fail("rootOnChain", "ROOT_NOT_ANCHORED", `contract ${anchor.contract} has never anchored root ${inclusion.root}`), anchored: false };
  }
  if (view.treeSize !== BigInt(inclusion.treeSize)) {
    return { step: fail("rootOnChain", "TREE_SIZE_MISMATCH", `the root was anchored for a tree of ${view.treeSize} leaves, the receipt says ${inclusion.treeSize}`), anchored: true };
  }
  return { step: pass("rootOnChain", `anchored as number ${view.seq}, tree of ${view.treeSize} leaves`), view, anchored: true };
}

/** inclusionOnChain: the contract's own RFC 9162 verification accepts the proof (eth_call). */
async function inclusionOnChainStep(contract: Contract, inclusion: Inclusion): Promise<StepResult> {
  try {
    const ok = (await contract.getFunction("verifyInclusion").staticCall(
      `0x${inclusion.leafHash}`,
      inclusion.leafIndex,
      inclusion.treeSize,
      inclusion.auditPath.map((h) => `0x${h}`),
      `0x${inclusion.root}`,
    )) as boolean;
    return ok ? pass("inclusionOnChain", "the contract's verifyInclusion accepts the audit path") : fail("inclusionOnChain", "INCLUSION_REJECTED_ON_CHAIN", "the contract's verifyInclusion rejects the audit path");
  } catch (error) {
    return callFailure("inclusionOnChain", "verifyInclusion(...)", error);
  }
}
