// What the pipeline's tables say at one moment: for tests that stop the service (a kill) and
// look at what it left behind, and for their final checks.
import { sql } from "kysely";
import type { Provider } from "ethers";
import type { BatchStatus } from "../../src/db/batches.table.ts";
import type { Db } from "../../src/db/database.ts";

export interface PipelineState {
  /** Records not in any batch yet. */
  unsealed: number;
  batches: Record<BatchStatus, number>;
  maxBatchSeq: number;
  /** The anchor transactions of the batches in 'submitted', with what the chain knows of them. */
  submitted: { seq: number; txHash: string; chain: TxState }[];
}

/**
 * Where an anchor transaction is, for a chain at block `atBlock` (the block when the sender died):
 * mined by then, still in the node's mempool (or mined since), or unknown to the node (never
 * broadcast: the sender stored it and died).
 */
export type TxState = "mined" | "mempool" | "unknown";

export async function txState(provider: Provider, hash: string, atBlock: number): Promise<TxState> {
  const receipt = await provider.getTransactionReceipt(hash);
  if (receipt) return receipt.blockNumber <= atBlock ? "mined" : "mempool";
  return (await provider.getTransaction(hash)) ? "mempool" : "unknown";
}

export async function pipelineState(db: Db, provider: Provider, atBlock: number): Promise<PipelineState> {
  const [{ unsealed }] = (await sql<{ unsealed: string }>`select count(*) as unsealed from records where batch_seq is null`.execute(db)).rows as [{ unsealed: string }];
  const rows = await db.selectFrom("batches").select(["seq", "status", "tx_hash"]).orderBy("seq").execute();
  const batches: Record<BatchStatus, number> = { sealed: 0, submitted: 0, anchored: 0, final: 0 };
  for (const row of rows) batches[row.status] += 1;
  const submitted = [];
  for (const row of rows.filter((r) => r.status === "submitted")) {
    submitted.push({ seq: row.seq, txHash: row.tx_hash as string, chain: await txState(provider, row.tx_hash as string, atBlock) });
  }
  return { unsealed: Number(unsealed), batches, maxBatchSeq: rows.at(-1)?.seq ?? 0, submitted };
}

// Only the sealer's transaction runs these statements (src/pipeline/sealer.ts).
const SEALER_STATEMENT = String.raw`(for update skip locked|^insert into "batches"|max\("seq"\)|unnest\()`;

/**
 * Whether another session of this PostgreSQL database is inside the sealer's transaction: a
 * transaction is open and its current (or last) statement is one of the sealer's.
 */
export async function sealerInTransaction(db: Db): Promise<boolean> {
  const { rows } = await sql<{ open: boolean }>`
    select exists (select 1 from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid()
                      and xact_start is not null and query ~ ${SEALER_STATEMENT}) as open`.execute(db);
  return rows[0]?.open === true;
}
