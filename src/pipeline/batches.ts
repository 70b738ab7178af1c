// The batch state transitions of DESIGN.md's lifecycle, each one a single guarded UPDATE: the
// `where status = …` makes a transition that lost a race (or repeats after a crash) a no-op.
import { sql } from "kysely";
import type { BatchRow, BatchStatus } from "../db/batches.table.ts";
import type { Db } from "../db/database.ts";

export async function batchesIn(db: Db, status: BatchStatus, limit = 100): Promise<BatchRow[]> {
  return db.selectFrom("batches").selectAll().where("status", "=", status).orderBy("seq").limit(limit).execute();
}

/** sealed → submitted: the signed transaction and its hash are stored before it is broadcast. */
export async function markSubmitted(db: Db, seq: number, tx: { hash: string; raw: string; chainId: bigint; contract: string }): Promise<boolean> {
  const r = await db
    .updateTable("batches")
    .set({ status: "submitted", tx_hash: tx.hash, raw_tx: tx.raw, chain_id: tx.chainId, contract: tx.contract, submitted_at: new Date(), attempts: sql`attempts + 1`, last_error: null })
    .where("seq", "=", seq)
    .where("status", "=", "sealed")
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export interface MinedAt {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  blockTime: Date;
  chainId: bigint;
  contract: string;
}

/** sealed | submitted | anchored → anchored, at the block where the root's transaction was mined. */
export async function markAnchored(db: Db, seq: number, mined: MinedAt): Promise<void> {
  await db
    .updateTable("batches")
    .set({
      status: "anchored",
      tx_hash: mined.txHash,
      raw_tx: null,
      chain_id: mined.chainId,
      contract: mined.contract,
      block_number: mined.blockNumber,
      block_hash: mined.blockHash,
      block_time: mined.blockTime,
      anchored_at: new Date(),
      last_error: null,
    })
    .where("seq", "=", seq)
    .where("status", "in", ["sealed", "submitted", "anchored"])
    .execute();
}

export async function markFinal(db: Db, seq: number, blockHash: string): Promise<void> {
  await db.updateTable("batches").set({ status: "final", final_at: new Date() }).where("seq", "=", seq).where("status", "=", "anchored").where("block_hash", "=", blockHash).execute();
}

/** submitted | anchored → sealed: the transaction is gone (reorg, replaced, reverted); anchor again. */
export async function backToSealed(db: Db, seq: number, reason: string, reorg = false): Promise<void> {
  await db
    .updateTable("batches")
    .set({
      status: "sealed",
      tx_hash: null,
      raw_tx: null,
      block_number: null,
      block_hash: null,
      block_time: null,
      anchored_at: null,
      last_error: reason,
      ...(reorg ? { reorgs: sql`reorgs + 1` } : {}),
    })
    .where("seq", "=", seq)
    .where("status", "in", ["submitted", "anchored"])
    .execute();
}

export async function noteError(db: Db, seq: number, message: string): Promise<void> {
  await db.updateTable("batches").set({ last_error: message.slice(0, 1000) }).where("seq", "=", seq).execute();
}
