// The sealer: moves accepted records into a Merkle batch. One database transaction per batch
// stores the batch (sequence number, root, size) and every record's leaf index and audit path,
// so a crash leaves either no batch or a whole one.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { buildTree } from "../merkle/index.ts";

export interface SealPolicy {
  /** Seal as soon as this many records wait. */
  batchMax: number;
  /** …or as soon as the oldest has waited this long. */
  intervalMs: number;
}

export interface SealedBatch {
  seq: number;
  root: string;
  treeSize: number;
}

/** Whether a batch is due: enough records wait, or the oldest has waited long enough (by the database's clock). */
export async function sealIsDue(db: Db, policy: SealPolicy): Promise<boolean> {
  const { rows } = await sql<{ waiting: string; oldest_ms: number | null }>`
    select count(*) as waiting,
           (select extract(epoch from (clock_timestamp() - min(accepted_at))) * 1000
              from records where batch_seq is null) as oldest_ms
      from (select 1 from records where batch_seq is null limit ${policy.batchMax}) as pending`.execute(db);
  const row = rows[0];
  if (!row || Number(row.waiting) === 0) return false;
  return Number(row.waiting) >= policy.batchMax || Number(row.oldest_ms) >= policy.intervalMs;
}

/** Seals up to `batchMax` of the oldest accepted records into the next batch; null when none wait. */
export async function sealBatch(db: Db, batchMax: number): Promise<SealedBatch | null> {
  return db.transaction().execute(async (tx) => {
    const pending = await tx
      .selectFrom("records")
      .select(["id", "leaf_hash"])
      .where("batch_seq", "is", null)
      .orderBy("seq")
      .limit(batchMax)
      .forUpdate()
      .skipLocked()
      .execute();
    if (pending.length === 0) return null;

    const tree = buildTree(pending.map((r) => Buffer.from(r.leaf_hash, "hex")));
    const last = await tx.selectFrom("batches").select((eb) => eb.fn.max("seq").as("seq")).executeTakeFirst();
    const seq = Number(last?.seq ?? 0) + 1;
    const root = tree.root.toString("hex");
    await tx.insertInto("batches").values({ seq, root, tree_size: tree.size, status: "sealed" }).execute();

    const ids: string[] = [];
    const indexes: number[] = [];
    const paths: string[] = [];
    pending.forEach((r, i) => {
      ids.push(r.id);
      indexes.push(i);
      paths.push(Buffer.concat(tree.auditPath(i)).toString("hex"));
    });
    // One statement for the whole batch: unnest the three arrays side by side.
    await sql`
      update records as r
         set batch_seq = ${seq}, leaf_index = u.leaf_index, audit_path = u.audit_path
        from unnest(${ids}::uuid[], ${indexes}::int[], ${paths}::text[]) as u(id, leaf_index, audit_path)
       where r.id = u.id`.execute(tx);
    return { seq, root, treeSize: tree.size };
  });
}
