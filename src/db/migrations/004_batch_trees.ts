import { sql, type Kysely } from "kysely";
import { buildTree } from "../../merkle/index.ts";

// Sealing stops writing to records (issue 7): a batch keeps its tree once, and the contiguous
// range of records.seq it covers; audit paths are read from the tree when a receipt is asked for.
// Rewriting every sealed row (2.7 KB a record with its audit path, and a dead tuple behind each
// one until VACUUM) is what made sealing slow and the table twice its size.
//
// - batch_trees.nodes: every node of the RFC 9162 tree, leaves first, 32 bytes each (about 64
//   bytes a record). STORAGE EXTERNAL keeps it uncompressed out of line, so reading the dozen or
//   so nodes of one audit path with substring() fetches only their TOAST chunks. A table of its
//   own, so that the pipeline's `select *` from batches never drags it along.
// - batches.records_from / records_to: the batch holds exactly the records with seq in that range
//   that have no batch_seq of their own, in seq order (src/pipeline/sealer.ts says why the range
//   is complete when it is sealed); `holes` lists the seqs in the range that are not its records
//   (rolled-back inserts, records sealed row by row), so a record's leaf index is its offset in
//   the range less the holes before it. Null range for batches sealed before this migration:
//   their records keep batch_seq and leaf_index.
// - seal_progress.sealed_through: every record with seq ≤ it is in a batch (or was never committed).
//
// records.seq must keep coming from its own sequence at insert, without a per-session cache
// (CACHE 1, bigserial's default, set here explicitly): the sealer's "settled" reasoning rests on it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Nothing may insert while the trees are stored and the watermark is fixed (writers wait; readers do not).
  await sql`lock table records in exclusive mode`.execute(db);
  const sequence = await recordsSequence(db);
  await sql`alter sequence ${sql.raw(sequence)} cache 1`.execute(db);

  await db.schema
    .createTable("batch_trees")
    .addColumn("batch_seq", "integer", (c) => c.primaryKey().references("batches.seq"))
    .addColumn("nodes", "bytea", (c) => c.notNull())
    .execute();
  await sql`alter table batch_trees alter column nodes set storage external`.execute(db);
  const batches = await sql<{ seq: number; root: string; tree_size: number }>`select seq, root, tree_size from batches order by seq`.execute(db);
  for (const batch of batches.rows) {
    const leaves = await sql<{ leaf_hash: string }>`select leaf_hash from records where batch_seq = ${batch.seq} order by leaf_index`.execute(db);
    if (leaves.rows.length !== batch.tree_size) throw new Error(`batch ${batch.seq} has ${leaves.rows.length} records for a tree of ${batch.tree_size}`);
    const tree = buildTree(leaves.rows.map((r) => Buffer.from(r.leaf_hash, "hex")));
    if (tree.root.toString("hex") !== batch.root) throw new Error(`the records of batch ${batch.seq} do not hash to its root`);
    await sql`insert into batch_trees (batch_seq, nodes) values (${batch.seq}, ${tree.nodes()})`.execute(db);
  }
  await db.schema
    .alterTable("batches")
    .addColumn("records_from", "bigint")
    .addColumn("records_to", "bigint")
    .addColumn("holes", sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .execute();
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
  const batches = await sql<{ seq: number; tree_size: number; records_from: string | null; records_to: string | null; nodes: Uint8Array }>`
    select b.seq, b.tree_size, b.records_from, b.records_to, t.nodes from batches b join batch_trees t on t.batch_seq = b.seq order by b.seq`.execute(db);
  for (const batch of batches.rows) {
    const nodes = Buffer.from(batch.nodes);
    const tree = buildTree(Array.from({ length: batch.tree_size }, (_, i) => nodes.subarray(32 * i, 32 * i + 32)));
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
  await db.schema.alterTable("batches").dropColumn("holes").dropColumn("records_to").dropColumn("records_from").execute();
  await db.schema.dropTable("batch_trees").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function recordsSequence(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select pg_get_serial_sequence('records', 'seq') as name`.execute(db);
  const name = rows[0]?.name;
  if (!name) throw new Error("records.seq has no sequence");
  return name;
}
