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
  const [{ unsealed }] = (
    await sql<{ unsealed: string }>`
      select count(*) as unsealed from records where seq > (select sealed_through from seal_progress) and batch_seq is null`.execute(db)
  ).rows as [{ unsealed: string }];
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
const SEALER_STATEMENT = String.raw`("seal_progress" for update|^insert into "batches"|^insert into "batch_trees"|^update "seal_progress"|max\("seq"\)|seq, leaf_hash from records)`;

export interface RecordInBatch {
  id: string;
  subject: string;
  leaf_hash: string;
  /** The batch that holds the record: its own batch_seq (sealed before migration 004) or the batch whose seq range covers it. */
  batch_seq: number | null;
}

/** Every record with the batch that holds it, in leaf order within each batch (seq order for range batches). */
export async function recordsInBatches(db: Db): Promise<RecordInBatch[]> {
  const { rows } = await sql<RecordInBatch>`
    select r.id, r.subject, r.leaf_hash, coalesce(r.batch_seq, b.seq) as batch_seq
      from records r left join batches b on r.batch_seq is null and r.seq between b.records_from and b.records_to
     order by r.leaf_index nulls last, r.seq`.execute(db);
  return rows;
}

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
