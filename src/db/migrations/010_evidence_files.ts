import { sql, type Kysely } from "kysely";

// Evidence files and merchant qualifications (issue 10, items 1 and 4). The bytes live in the
// blob store under their SHA-256; a row here is one upload of them, by one merchant, notarized as
// a private `evidence.file` record (record_id). Several uploads may name the same bytes: the
// store keeps them once, and who may read them follows from these rows.
// A qualification is a document a merchant submits (a `merchant.qualification` record on
// urn:tracemark:merchant:{id}); the operator's decision is a public record on the same chain.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("evidence_files")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("sha256", "char(64)", (c) => c.notNull())
    .addColumn("size", "int8", (c) => c.notNull())
    .addColumn("media_type", "text", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("submitter_key_id", "text", (c) => c.notNull())
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // A download asks: does this merchant (or anyone, for a mediator) hold an upload of these bytes?
  await db.schema.createIndex("evidence_files_sha256_merchant").on("evidence_files").columns(["sha256", "merchant_id"]).execute();

  await db.schema
    .createTable("merchant_qualifications")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("doc_type", "text", (c) => c.notNull())
    .addColumn("number", "text", (c) => c.notNull())
    .addColumn("valid_from", "date", (c) => c.notNull())
    // null: valid without end (a business licence 长期).
    .addColumn("valid_until", "date")
    .addColumn("file_id", "uuid", (c) => c.notNull().references("evidence_files.id"))
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("status", "text", (c) => c.notNull().defaultTo("pending").check(sql`status in ('pending', 'approved', 'rejected')`))
    .addColumn("decision_reason", "text")
    .addColumn("decided_at", "timestamptz")
    .addColumn("decided_by_key_id", "text")
    .addColumn("decision_record_id", "uuid", (c) => c.references("records.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("merchant_qualifications_merchant").on("merchant_qualifications").columns(["merchant_id", "created_at"]).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("merchant_qualifications").execute();
  await db.schema.dropTable("evidence_files").execute();
}
