// The anchorer: sealed → submitted → anchored → final, against any EVM JSON-RPC.
//
// Crash safety rests on three habits. The transaction is signed locally and its hash and raw
// bytes are stored before it is broadcast, so a restart knows what it may have sent. Before
// sending, the contract is asked whether the root is anchored already, so a root is never sent
// twice after a crash. And the contract itself refuses a second anchor of a root.
import { Transaction, type Provider, type TransactionReceipt } from "ethers";
import type { ChainHandle } from "../chain/connect.ts";
import type { BatchRow } from "../db/batches.table.ts";
import type { Db } from "../db/database.ts";
import { backToSealed, batchesIn, markAnchored, markFinal, markSubmitted, noteError, type MinedAt } from "./batches.ts";

export interface AnchorPolicy {
  confirmations: number;
  /** "auto": the chain's `finalized` tag where it has one, else `confirmations`. */
  finality: "auto" | "tag" | "confirmations";
  gasLimit: number;
  maxFeePerGasWei?: bigint;
  maxPriorityFeePerGasWei?: bigint;
  /** How long to wait for a just-sent transaction before moving on (it is checked again later). */
  mineWaitMs: number;
}

export interface PipelineLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

const RECEIPT_POLL_MS = 50;
const hex0x = (root: string) => `0x${root}`;

export class Anchorer {
  private readonly db: Db;
  private readonly chain: ChainHandle;
  private readonly policy: AnchorPolicy;
  private readonly log: PipelineLog;
  private hasFinalizedTag: boolean | undefined;

  constructor(db: Db, chain: ChainHandle, policy: AnchorPolicy, log: PipelineLog) {
    this.db = db;
    this.chain = chain;
    this.policy = policy;
    this.log = log;
  }

  private get provider(): Provider {
    return this.chain.provider;
  }

  /** One pass over every open batch; true when it changed something (so the caller loops at once). */
  async step(): Promise<boolean> {
    let progressed = false;
    for (const batch of await batchesIn(this.db, "submitted")) progressed = (await this.progressSubmitted(batch)) || progressed;
    // One transaction in flight at a time keeps nonces simple and the order of anchors the order of batches.
    if ((await batchesIn(this.db, "submitted", 1)).length === 0) {
      const [next] = await batchesIn(this.db, "sealed", 1);
      if (next) progressed = (await this.send(next)) || progressed;
    }
    for (const batch of await batchesIn(this.db, "anchored")) progressed = (await this.progressAnchored(batch)) || progressed;
    return progressed;
  }

  private async send(batch: BatchRow): Promise<boolean> {
    const already = await this.findAnchoredOnChain(batch.root);
    if (already) {
      this.log.info({ batch: batch.seq, tx: already.txHash }, "root already anchored on chain; recording it instead of sending again");
      await markAnchored(this.db, batch.seq, already);
      return true;
    }
    const signed = await this.signAnchor(batch);
    if (!(await markSubmitted(this.db, batch.seq, signed))) return false;
    this.log.info({ batch: batch.seq, root: batch.root, size: batch.tree_size, tx: signed.hash }, "anchor transaction stored; broadcasting");
    await this.broadcast(batch.seq, signed.raw);
    await this.awaitReceipt(signed.hash);
    const [fresh] = await this.db.selectFrom("batches").selectAll().where("seq", "=", batch.seq).execute();
    if (fresh?.status === "submitted") await this.progressSubmitted(fresh);
    return true;
  }

  private async signAnchor(batch: BatchRow) {
    const signer = this.chain.signer;
    const request = await this.chain.contract.anchor.populateTransaction(hex0x(batch.root), batch.tree_size);
    const nonce = await this.provider.getTransactionCount(this.chain.anchorer, "pending");
    const populated = await signer.populateTransaction({
      ...request,
      nonce,
      gasLimit: this.policy.gasLimit,
      ...(this.policy.maxFeePerGasWei !== undefined ? { maxFeePerGas: this.policy.maxFeePerGasWei } : {}),
      ...(this.policy.maxPriorityFeePerGasWei !== undefined ? { maxPriorityFeePerGas: this.policy.maxPriorityFeePerGasWei } : {}),
    });
    const raw = await signer.signTransaction(populated);
    return { raw, hash: Transaction.from(raw).hash as string, chainId: this.chain.chainId, contract: this.chain.contractAddress };
  }

  private async broadcast(seq: number, raw: string): Promise<void> {
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (error) {
      // "already known" and "nonce too low" are sorted out by progressSubmitted from the chain's state.
      await noteError(this.db, seq, `broadcast: ${short(error)}`);
      this.log.warn({ batch: seq, err: short(error) }, "broadcast failed; the chain's state decides next");
    }
  }

  /**
   * Polls for the receipt for up to mineWaitMs, fast, so accept→anchored stays short on chains
   * that mine at once; ethers' own waitForTransaction polls every 4 s.
   */
  private async awaitReceipt(hash: string): Promise<void> {
    const deadline = Date.now() + this.policy.mineWaitMs;
    while (Date.now() < deadline) {
      if (await this.provider.getTransactionReceipt(hash).catch(() => null)) return;
      await new Promise((resolve) => setTimeout(resolve, RECEIPT_POLL_MS));
    }
  }

  private async progressSubmitted(batch: BatchRow): Promise<boolean> {
    const txHash = batch.tx_hash as string;
    const receipt = await this.provider.getTransactionReceipt(txHash);
    if (receipt && receipt.status === 1) {
      await markAnchored(this.db, batch.seq, await this.minedAt(receipt));
      this.log.info({ batch: batch.seq, tx: txHash, block: receipt.blockNumber }, "batch anchored");
      return true;
    }
    // Reverted, or not mined: did another transaction anchor this root (a send before a crash)?
    const elsewhere = await this.findAnchoredOnChain(batch.root);
    if (elsewhere) {
      await markAnchored(this.db, batch.seq, elsewhere);
      const how = elsewhere.txHash === txHash ? "batch anchored" : "batch anchored by an earlier transaction";
      this.log.info({ batch: batch.seq, tx: elsewhere.txHash }, how);
      return true;
    }
    if (receipt) {
      await backToSealed(this.db, batch.seq, `anchor transaction ${txHash} reverted`);
      this.log.warn({ batch: batch.seq, tx: txHash }, "anchor transaction reverted; will send again");
      return true;
    }
    if (await this.provider.getTransaction(txHash)) return false; // still pending in the mempool
    // The node does not know the transaction (never broadcast before a crash, or dropped): send the
    // very same bytes again. If its nonce was taken by something else, sign anew.
    try {
      await this.provider.broadcastTransaction(batch.raw_tx as string);
      this.log.info({ batch: batch.seq, tx: txHash }, "re-broadcast the stored anchor transaction");
      return true;
    } catch (error) {
      if (/nonce/i.test(short(error))) {
        await backToSealed(this.db, batch.seq, `stored transaction unusable: ${short(error)}`);
        return true;
      }
      throw error;
    }
  }

  private async progressAnchored(batch: BatchRow): Promise<boolean> {
    const blockNumber = Number(batch.block_number);
    const block = await this.provider.getBlock(blockNumber);
    if (!block || block.hash !== batch.block_hash) return this.onReorg(batch);
    if (!(await this.isFinal(blockNumber))) return false;
    await markFinal(this.db, batch.seq, block.hash as string);
    this.log.info({ batch: batch.seq, block: blockNumber }, "batch final");
    return true;
  }

  /** The anchoring block is no longer canonical: follow the transaction, or anchor again. */
  private async onReorg(batch: BatchRow): Promise<boolean> {
    const receipt = await this.provider.getTransactionReceipt(batch.tx_hash as string);
    const canonical = receipt ? await this.provider.getBlock(receipt.blockNumber) : null;
    if (receipt && receipt.status === 1 && canonical?.hash === receipt.blockHash) {
      await markAnchored(this.db, batch.seq, await this.minedAt(receipt));
      this.log.warn({ batch: batch.seq, block: receipt.blockNumber }, "reorg: the anchor transaction was mined again in another block");
      return true;
    }
    await backToSealed(this.db, batch.seq, `reorg: block ${batch.block_number} ${batch.block_hash} is no longer canonical`, true);
    this.log.warn({ batch: batch.seq, block: batch.block_number }, "reorg dropped the anchor transaction; the batch goes back to sealed");
    return true;
  }

  private async isFinal(blockNumber: number): Promise<boolean> {
    if (this.policy.finality !== "confirmations") {
      const finalized = await this.finalizedBlock();
      if (finalized !== null) return finalized >= blockNumber;
      if (this.policy.finality === "tag") return false;
    }
    const latest = await this.provider.getBlockNumber();
    return latest - blockNumber + 1 >= this.policy.confirmations;
  }

  private async finalizedBlock(): Promise<number | null> {
    if (this.hasFinalizedTag === false) return null;
    try {
      const block = await this.provider.getBlock("finalized");
      this.hasFinalizedTag = block !== null;
      return block?.number ?? null;
    } catch {
      this.hasFinalizedTag = false;
      return null;
    }
  }

  /** Where the contract says `root` was anchored, with the transaction from its Anchored event. */
  private async findAnchoredOnChain(root: string): Promise<MinedAt | null> {
    const onChain = await this.chain.contract.anchorOf(hex0x(root));
    if (onChain.seq === 0n) return null;
    const contract = this.chain.contract;
    const events = await contract.queryFilter(contract.filters["Anchored"]!(null, hex0x(root)), Number(onChain.blockNumber), Number(onChain.blockNumber));
    const event = events.at(-1);
    if (!event) throw new Error(`root ${root} is anchored in block ${onChain.blockNumber} but its Anchored event was not found`);
    const receipt = await this.provider.getTransactionReceipt(event.transactionHash);
    if (!receipt) throw new Error(`transaction ${event.transactionHash} of an Anchored event has no receipt`);
    return this.minedAt(receipt);
  }

  private async minedAt(receipt: TransactionReceipt): Promise<MinedAt> {
    const block = await this.provider.getBlock(receipt.blockHash);
    if (!block) throw new Error(`block ${receipt.blockHash} of transaction ${receipt.hash} not found`);
    return {
      txHash: receipt.hash,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
      blockTime: new Date(block.timestamp * 1000),
      chainId: this.chain.chainId,
      contract: this.chain.contractAddress,
    };
  }
}

export function short(error: unknown): string {
  if (error instanceof Error) return ((error as { shortMessage?: string }).shortMessage ?? error.message).split("\n")[0]!.slice(0, 300);
  return String(error).slice(0, 300);
}
