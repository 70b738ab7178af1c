import { sql, type Kysely } from "kysely";

// Hashes are stored as lower-case hex text: the receipt format is hex, and text reads back
// identically through node-postgres and PGlite (bytea does not).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("batches")
    .addColumn("seq", "integer", (c) => c.primaryKey())
    .addColumn("root", "char(64)", (c) => c.notNull().unique())
    .addColumn("tree_size", "integer", (c) => c.notNull().check(sql`tree_size > 0`))
    .addColumn("status", "text", (c) =>
      c.notNull().check(sql`status in ('sealed', 'submitted', 'anchored', 'final')`),
    )
    .addColumn("sealed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("chain_id", "bigint")
    .addColumn("contract", "text")
    .addColumn("tx_hash", "text")
    .addColumn("raw_tx", "text")
    .addColumn("submitted_at", "timestamptz")
    .addColumn("block_number", "bigint")
    .addColumn("block_hash", "text")
    .addColumn("block_time", "timestamptz")
    .addColumn("anchored_at", "timestamptz")
    .addColumn("final_at", "timestamptz")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reorgs", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .execute();
  await db.schema.createIndex("batches_open").on("batches").column("seq").where(sql.ref("status"), "<>", "final").execute();

  await db.schema
    .createTable("records")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("seq", "bigserial", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    // The canonical (RFC 8785) envelope, exactly the bytes that were hashed; jsonb would reorder keys.
    .addColumn("envelope", "text", (c) => c.notNull())
    .addColumn("record_hash", "char(64)", (c) => c.notNull())
    .addColumn("salt", "char(64)", (c) => c.notNull())
    .addColumn("leaf_hash", "char(64)", (c) => c.notNull())
    .addColumn("submitter_key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("merchant_id", "uuid", (c) => c.references("merchants.id"))
    .addColumn("accepted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("batch_seq", "integer", (c) => c.references("batches.seq"))
    .addColumn("leaf_index", "integer")
    // The RFC 9162 audit path, leaf to root: 64 hex characters per node, concatenated.
    .addColumn("audit_path", "text")
    .execute();
  await db.schema.createIndex("records_unsealed").on("records").column("seq").where(sql.ref("batch_seq"), "is", null).execute();
  await db.schema.createIndex("records_subject").on("records").columns(["subject", "seq"]).execute();
  await db.schema.createIndex("records_record_hash").on("records").column("record_hash").execute();
  await db.schema.createIndex("records_batch").on("records").columns(["batch_seq", "leaf_index"]).execute();

  await db.schema
    .createTable("idempotency_keys")
    .addColumn("key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("idempotency_key", "text", (c) => c.notNull())
    .addColumn("request_hash", "char(64)", (c) => c.notNull())
    .addColumn("record_ids", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("idempotency_keys_pk", ["key_id", "idempotency_key"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("idempotency_keys").execute();
  await db.schema.dropTable("records").execute();
  await db.schema.dropTable("batches").execute();
}
