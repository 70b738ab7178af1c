// Maps stored rows to the API's views: the record's status and its Receipt v1 (DESIGN.md). The
// inclusion proof comes with the row from findRecords (derived from the batch's leaves, proofs.ts).
import type { BatchState } from "./proofs.ts";
import { RECEIPT_FORMAT, type Anchor, type Envelope, type Receipt } from "../merkle/index.ts";
import type { RecordWithBatch } from "./repository.ts";

export type RecordStatus = "accepted" | "sealed" | "submitted" | "anchored" | "final";

export function statusOf(record: RecordWithBatch): RecordStatus {
  return record.batch ? record.batch.status : "accepted";
}

export function receiptOf(record: RecordWithBatch): Receipt {
  const batch = record.batch;
  const sealed = record.sealedAt;
  return {
    ...acceptedReceipt({ envelope: JSON.parse(record.envelope) as Envelope, recordHash: record.record_hash, salt: record.salt }),
    inclusion:
      batch && sealed ? { leafHash: record.leaf_hash, leafIndex: sealed.leafIndex, treeSize: batch.tree_size, auditPath: sealed.auditPath, root: batch.root } : null,
    anchor: batch ? anchorOf(batch) : null,
  };
}

/** The receipt of a record just accepted: in no batch yet, so no inclusion and no anchor. */
export function acceptedReceipt(record: { envelope: Envelope; recordHash: string; salt: string }): Receipt {
  return { format: RECEIPT_FORMAT, record: { envelope: record.envelope, recordHash: record.recordHash, salt: record.salt }, inclusion: null, anchor: null };
}

function anchorOf(batch: BatchState): Anchor | null {
  if (batch.status === "sealed" || !batch.tx_hash || batch.chain_id === null || !batch.contract) return null;
  const common = { chainId: Number(batch.chain_id), contract: batch.contract, batchSeq: batch.seq, txHash: batch.tx_hash };
  if (batch.status === "submitted" || batch.block_number === null || !batch.block_hash || !batch.block_time) {
    return { status: "pending", ...common, blockNumber: null, blockHash: null, blockTime: null };
  }
  return {
    status: batch.status === "final" ? "final" : "anchored",
    ...common,
    blockNumber: Number(batch.block_number),
    blockHash: batch.block_hash,
    blockTime: new Date(batch.block_time).toISOString().replace(".000Z", "Z"),
  };
}

export function statusView(record: RecordWithBatch) {
  return {
    id: record.id,
    status: statusOf(record),
    recordHash: record.record_hash,
    acceptedAt: new Date(record.accepted_at).toISOString(),
    batchSeq: record.batch?.seq ?? null,
    leafIndex: record.sealedAt?.leafIndex ?? null,
    // A sealed batch has no transaction: going back to sealed clears it (pipeline/batches.ts).
    txHash: record.batch?.tx_hash ?? null,
  };
}
