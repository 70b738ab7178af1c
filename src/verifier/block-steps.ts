// Steps `blockTime` and `deployBlock` (docs/receipt-v1.md): the anchoring block and its time come
// from the chain, never from the receipt; and no genuine anchor is older than the trusted
// contract itself.
import type { Provider } from "ethers";
import type { OnChainAnchor, StepResult } from "../merkle/report.ts";
import type { Anchor, MinedAnchor } from "../merkle/receipt.ts";
import type { AnchorLog, AnchorView } from "./anchor-tx-steps.ts";
import { callFailure, fail, pass, rfc3339 } from "./step-result.ts";
import type { TrustAnchor } from "./trust.ts";

/**
 * `blockTime`: reads the anchoring block — the Anchored log's block when the transaction showed
 * one, else the block anchorOf names — and compares the contract's stored time and the receipt's
 * block number, hash and time with it.
 */
export async function blockTimeStep(
  provider: Provider,
  anchor: Anchor,
  view: AnchorView,
  log: AnchorLog | undefined,
  chainId: number,
): Promise<{ step: StepResult; onChain?: OnChainAnchor }> {
  const number = log?.blockNumber ?? Number(view.blockNumber);
  let block;
  let head: number;
  try {
    [block, head] = await Promise.all([provider.getBlock(number), provider.getBlockNumber()]);
  } catch (error) {
    return { step: callFailure("blockTime", `eth_getBlockByNumber(${number})`, error) };
  }
  if (block === null || block.hash === null) {
    return { step: fail("blockTime", "RPC_ERROR", `the RPC does not know block ${number}, where the root was anchored`) };
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
  if (log !== undefined && log.blockHash !== block.hash.toLowerCase()) {
    // The transaction's block is no longer the canonical block of that height: a reorg between calls.
    return { step: fail("blockTime", "ANCHOR_MISMATCH", `the transaction's block ${log.blockHash} is not the chain's block ${number} (${block.hash}): verify again`), onChain };
  }
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

/**
 * `deployBlock`: every block the chain names for this anchor (anchorOf's and the log's) is at or
 * after the trusted contract's deployment block. A contract cannot have anchored before it
 * existed; a claim that it did is a forgery (DESIGN.md "Trust").
 */
export function deployBlockStep(trusted: TrustAnchor, blocks: number[]): StepResult {
  if (blocks.length === 0) return { step: "deployBlock", ok: null, reason: "no anchoring block to compare" };
  const earliest = Math.min(...blocks);
  if (earliest < trusted.deployBlock) {
    return fail("deployBlock", "ANCHORED_BEFORE_DEPLOYMENT", `anchored in block ${earliest}, before the trusted contract was deployed in block ${trusted.deployBlock}`);
  }
  return pass("deployBlock", `block ${earliest} is at or after the trusted contract's deployment in block ${trusted.deployBlock}`);
}
