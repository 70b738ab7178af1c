import { sql, type Kysely } from "kysely";
import { buildTree } from "../../merkle/index.ts";

// Sealing stops writing to records (issue 7): a batch keeps its leaf hashes once, in leaf order,
// and the contiguous range of records.seq it covers; audit paths are derived when a receipt is
// asked for. Rewriting every sealed row (2.7 KB a record with its audit path, and a dead tuple
// behind each one until VACUUM) is what made sealing slow and the table twice its size.
//
// - batch_leaves.leaves: 32 bytes a leaf, leaf-index order (RFC 9162 §2.1.1 D[n]); a table of its
//   own so that the pipeline's `select *` from batches never drags the blob along.
// - batches.records_from / records_to: the batch holds exactly the records with seq in that range
//   that have no batch_seq of their own, in seq order (src/pipeline/sealer.ts says why the range
//   is complete when it is sealed). Null for batches sealed before this migration: their records
//   keep batch_seq and leaf_index.
// - seal_progress.sealed_through: every record with seq ≤ it is in a batch (or was never committed).
//
// records.seq must keep coming from its own sequence at insert, without a per-session cache
// (CACHE 1, bigserial's default, set here explicitly): the sealer's "settled" reasoning rests on it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Nothing may insert while the leaves move and the watermark is fixed (writers wait; readers do not).
  await sql`lock table records in exclusive mode`.execute(db);
  const sequence = await recordsSequence(db);
  await sql`alter sequence ${sql.raw(sequence)} cache 1`.execute(db);

  await db.schema
    .createTable("batch_leaves")
    .addColumn("batch_seq", "integer", (c) => c.primaryKey().references("batches.seq"))
    .addColumn("leaves", "bytea", (c) => c.notNull())
    .execute();
  await sql`
    insert into batch_leaves (batch_seq, leaves)
    select b.seq, (select string_agg(decode(r.leaf_hash, 'hex'), ''::bytea order by r.leaf_index) from records as r where r.batch_seq = b.seq)
      from batches as b`.execute(db);
  // Every batch has all its leaves: the migration stops here if one does not.
  await sql`
    do $$ begin
      if exists (select 1 from batches b left join batch_leaves l on l.batch_seq = b.seq
                  where l.leaves is null or octet_length(l.leaves) <> 32 * b.tree_size) then
        raise exception 'a batch''s records do not add up to its tree size';
      end if;
    end $$`.execute(db);
  await db.schema.alterTable("batches").addColumn("records_from", "bigint").addColumn("records_to", "bigint").execute();
  await db.schema
    .alterTable("batches")
    .addCheckConstraint("batches_records_range", sql`(records_from is null) = (records_to is null) and (records_from is null or records_from <= records_to)`)
    .execute();
  await db.schema.createIndex("batches_records_to").on("batches").column("records_to").execute();

  await db.schema
    .createTable("seal_progress")
    .addColumn("one", "boolean", (c) => c.primaryKey().defaultTo(true).check(sql`one`))
    .addColumn("sealed_through", "bigint", (c) => c.notNull())
    .execute();
  await sql`
    insert into seal_progress (sealed_through)
    select coalesce((select min(seq) - 1 from records where batch_seq is null), (select max(seq) from records), 0)`.execute(db);

  // The partial index of unsealed rows filled with dead entries as rows were sealed; the batch
  // index served only the per-row seal. Neither is needed now.
  await db.schema.dropIndex("records_unsealed").execute();
  await db.schema.dropIndex("records_batch").execute();
  await db.schema.alterTable("records").dropColumn("audit_path").execute();
}

/** Gives every sealed record its batch_seq, leaf_index and audit path back, as 002 stored them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`lock table records in exclusive mode`.execute(db);
  await db.schema.alterTable("records").addColumn("audit_path", "text").execute();
  const batches = await sql<{ seq: number; records_from: string | null; records_to: string | null; leaves: Uint8Array }>`
    select b.seq, b.records_from, b.records_to, l.leaves from batches b join batch_leaves l on l.batch_seq = b.seq order by b.seq`.execute(db);
  for (const batch of batches.rows) {
    const leaves = Buffer.from(batch.leaves);
    const tree = buildTree(Array.from({ length: leaves.length / 32 }, (_, i) => leaves.subarray(32 * i, 32 * i + 32)));
    const members =
      batch.records_from === null
        ? await sql<{ id: string }>`select id from records where batch_seq = ${batch.seq} order by leaf_index`.execute(db)
        : await sql<{ id: string }>`
            select id from records where seq between ${batch.records_from} and ${batch.records_to} and batch_seq is null order by seq`.execute(db);
    const ids = members.rows.map((r) => r.id);
    if (ids.length !== tree.size) throw new Error(`batch ${batch.seq} has ${tree.size} leaves but ${ids.length} records`);
    const paths = ids.map((_, i) => Buffer.concat(tree.auditPath(i)).toString("hex"));
    await sql`
      update records as r set batch_seq = ${batch.seq}, leaf_index = u.leaf_index, audit_path = u.audit_path
        from unnest(${ids}::uuid[], ${ids.map((_, i) => i)}::int[], ${paths}::text[]) as u(id, leaf_index, audit_path)
       where r.id = u.id`.execute(db);
  }
  await db.schema.createIndex("records_unsealed").on("records").column("seq").where(sql.ref("batch_seq"), "is", null).execute();
  await db.schema.createIndex("records_batch").on("records").columns(["batch_seq", "leaf_index"]).execute();
  await db.schema.dropTable("seal_progress").execute();
  await db.schema.dropIndex("batches_records_to").execute();
  await db.schema.alterTable("batches").dropConstraint("batches_records_range").execute();
  await db.schema.alterTable("batches").dropColumn("records_to").dropColumn("records_from").execute();
  await db.schema.dropTable("batch_leaves").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function recordsSequence(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select pg_get_serial_sequence('records', 'seq') as name`.execute(db);
  const name = rows[0]?.name;
  if (!name) throw new Error("records.seq has no sequence");
  return name;
}
