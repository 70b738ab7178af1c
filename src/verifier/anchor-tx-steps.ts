// The transaction is part of the proof (docs/receipt-v1.md, steps `transaction` and `anchorLog`):
// the receipt's txHash must be a successful transaction on the chain the RPC serves, and hold the
// Anchored(seq, root, treeSize) event of the very contract being verified, for this root and tree
// size, in the block where that contract says the root was anchored. A lookalike's transaction,
// another transaction of the right contract, or a contract that answers anchorOf with a made-up
// block (backdating) all fail here.
import { Interface } from "ethers";
import type { Log, Provider, TransactionReceipt } from "ethers";
import type { StepResult } from "../merkle/report.ts";
import type { Anchor, Inclusion } from "../merkle/receipt.ts";
import { BATCH_ANCHOR_VIEWS } from "./abi.ts";
import { callFailure, fail, pass } from "./step-result.ts";

const ANCHOR_EVENTS = new Interface(BATCH_ANCHOR_VIEWS);
const ANCHORED_TOPIC = ANCHOR_EVENTS.getEvent("Anchored")!.topicHash;

/** What anchorOf(root) returned, when the root is anchored with the receipt's tree size. */
export interface AnchorView {
  seq: bigint;
  treeSize: bigint;
  blockNumber: bigint;
  timestamp: bigint;
}

/** The Anchored log for the receipt's root, where the chain put it. */
export interface AnchorLog {
  blockNumber: number;
  blockHash: string;
}

export interface TransactionOutcome {
  step: StepResult;
  /** Set when the transaction was mined and succeeded. */
  receipt?: TransactionReceipt;
  /** Set when the transaction is not mined yet and the receipt's anchor says it is pending. */
  pending?: string;
}

/** `transaction`: eth_getTransactionReceipt(txHash) answers, on the canonical chain, with status 1. */
export async function transactionStep(provider: Provider, anchor: Anchor, chainId: bigint, rootOnChain: boolean): Promise<TransactionOutcome> {
  let receipt: TransactionReceipt | null;
  try {
    receipt = await provider.getTransactionReceipt(anchor.txHash);
  } catch (error) {
    return { step: callFailure("transaction", `eth_getTransactionReceipt(${anchor.txHash})`, error) };
  }
  if (receipt === null) {
    // A pending anchor's transaction may simply not be mined yet; once the root is on chain its
    // transaction must be too (a replaced transaction needs an updated receipt).
    if (anchor.status === "pending" && !rootOnChain) {
      const pending = `the anchoring transaction ${anchor.txHash} is not mined yet`;
      return { step: { step: "transaction", ok: null, reason: pending }, pending };
    }
    return { step: fail("transaction", "TX_NOT_FOUND", `transaction ${anchor.txHash} is not on chain ${chainId} (dropped by a reorg, replaced, or never sent): ask the issuer for an updated receipt`) };
  }
  if (receipt.status !== 1) {
    return { step: fail("transaction", "TX_FAILED", `transaction ${anchor.txHash} in block ${receipt.blockNumber} reverted (status ${receipt.status}): it anchored nothing`) };
  }
  return { step: pass("transaction", `transaction ${anchor.txHash} succeeded in block ${receipt.blockNumber}`), receipt };
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function decodeAnchored(log: Log): { seq: bigint; root: string; treeSize: bigint } | undefined {
  try {
    const parsed = ANCHOR_EVENTS.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed === null) return undefined;
    return { seq: parsed.args[0] as bigint, root: (parsed.args[1] as string).toLowerCase(), treeSize: parsed.args[2] as bigint };
  } catch {
    return undefined;
  }
}

/**
 * `anchorLog`: the transaction holds an Anchored log emitted by `contract` (the trusted one, once
 * the `trust` step passed) for this root and tree size, with the sequence number and in the block
 * that anchorOf(root) reports.
 */
export function anchorLogStep(
  receipt: TransactionReceipt,
  contract: string,
  inclusion: Inclusion,
  view: AnchorView | undefined,
): { step: StepResult; log?: AnchorLog } {
  const root = `0x${inclusion.root}`;
  const anchoredLogs = receipt.logs.filter((l) => l.topics[0] === ANCHORED_TOPIC);
  const ours = anchoredLogs.filter((l) => sameAddress(l.address, contract));
  if (ours.length === 0) {
    const others = [...new Set(anchoredLogs.map((l) => l.address))];
    const elsewhere = others.length > 0 ? `; its Anchored events come from ${others.join(", ")}, another contract` : "";
    return { step: fail("anchorLog", "ANCHOR_LOG_MISSING", `transaction ${receipt.hash} holds no Anchored event of contract ${contract}${elsewhere}`) };
  }
  const decoded = ours.map((l) => ({ log: l, event: decodeAnchored(l) }));
  const match = decoded.find((d) => d.event?.root === root);
  if (match === undefined || match.event === undefined) {
    const roots = decoded.map((d) => d.event?.root ?? "(undecodable)").join(", ");
    return { step: fail("anchorLog", "ANCHOR_LOG_MISMATCH", `transaction ${receipt.hash} anchored ${roots}, not the receipt's root ${root}`) };
  }
  const { event, log } = match;
  const at: AnchorLog = { blockNumber: log.blockNumber, blockHash: log.blockHash.toLowerCase() };
  const problems: string[] = [];
  if (event.treeSize !== BigInt(inclusion.treeSize)) problems.push(`a tree of ${event.treeSize} leaves, not ${inclusion.treeSize}`);
  if (view !== undefined && event.seq !== view.seq) problems.push(`sequence number ${event.seq}, but anchorOf says ${view.seq}`);
  if (view !== undefined && BigInt(log.blockNumber) !== view.blockNumber) problems.push(`block ${log.blockNumber}, but anchorOf says block ${view.blockNumber}`);
  if (problems.length > 0) {
    return { step: fail("anchorLog", "ANCHOR_LOG_MISMATCH", `the Anchored event for this root in transaction ${receipt.hash} names ${problems.join("; ")}`), log: at };
  }
  return { step: pass("anchorLog", `Anchored(${event.seq}, root, ${event.treeSize}) emitted by ${contract} in block ${log.blockNumber}`), log: at };
}
