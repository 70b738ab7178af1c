import { sql, type Kysely } from "kysely";

// One row per subject: who owns it and its newest record (DESIGN.md "Subjects and chains": a
// subject belongs to whoever first wrote to it; nobody else can append). notarize() claims or
// advances the row in the transaction that inserts the records, so the primary key decides
// which of two tenants racing on a new subject wins, and the row lock serialises the writes to
// one subject. The owner is a merchant, or the API key for records an admin key submitted.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("subjects")
    .addColumn("subject", "text", (c) => c.primaryKey())
    .addColumn("owner_merchant_id", "uuid", (c) => c.references("merchants.id"))
    .addColumn("owner_key_id", "text", (c) => c.references("api_keys.id"))
    .addColumn("head_record_hash", "char(64)", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint("subjects_one_owner", sql`(owner_merchant_id is null) <> (owner_key_id is null)`)
    .execute();

  // Subjects written before this migration: the first writer owns it, the newest record is its head.
  await sql`
    insert into subjects (subject, owner_merchant_id, owner_key_id, head_record_hash)
    select first.subject, first.merchant_id, case when first.merchant_id is null then first.submitter_key_id end, newest.record_hash
      from (select distinct on (subject) subject, merchant_id, submitter_key_id from records order by subject, seq) as first
      join (select distinct on (subject) subject, record_hash from records order by subject, seq desc) as newest using (subject)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("subjects").execute();
}
