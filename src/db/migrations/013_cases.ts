import { sql, type Kysely } from "kysely";

// Dispute cases (issue 11). A case is about one order of one merchant; its parties are the
// merchant, the consumer (through a case token: an API key with the role `consumer`, bound to this
// case and nothing else) and the mediator the operator assigns. Every change is also a record on
// the case's subject, urn:tracemark:case:{id} (src/cases/timeline.ts): these rows are what pages
// and queries read, the records are what proves them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // A case token is a key like any other (stored as the SHA-256 of its secret), with a role that
  // no route but the case routes admits.
  await sql`alter table api_keys drop constraint if exists api_keys_role_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_role_check check (role in ('admin', 'merchant', 'mediator', 'consumer'))`.execute(db);

  await db.schema
    .createTable("cases")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("subject", "text", (c) => c.notNull().unique())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("order_ref", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("opened_by", "text", (c) => c.notNull().check(sql`opened_by in ('consumer', 'merchant', 'mediator', 'operator')`))
    // The key that opened the case: its owner owns the case's chain of records.
    .addColumn("opener_key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("consumer_key_id", "text", (c) => c.references("api_keys.id"))
    .addColumn("mediator_key_id", "text", (c) => c.references("api_keys.id"))
    .addColumn("delivered_at", "timestamptz")
    .addColumn("opened_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("state", "text", (c) => c.notNull().check(sql`state in ('open', 'decided')`))
    .addColumn("outcome", "text")
    .addColumn("reasons", "text")
    .addColumn("decided_at", "timestamptz")
    .execute();
  await db.schema.createIndex("cases_merchant").on("cases").columns(["merchant_id", "opened_at"]).execute();
  await db.schema.createIndex("cases_mediator").on("cases").columns(["mediator_key_id", "opened_at"]).execute();

  await db.schema
    .createTable("case_evidence")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("case_id", "uuid", (c) => c.notNull().references("cases.id"))
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    // consumer | merchant | mediator | operator, and the key that added it (only it may withdraw).
    .addColumn("party", "text", (c) => c.notNull())
    .addColumn("added_by_key_id", "text", (c) => c.notNull().references("api_keys.id"))
    .addColumn("note", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("added_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("withdrawn_at", "timestamptz")
    .execute();
  // A record is in a case once at a time; after a withdrawal it may come back.
  await db.schema.createIndex("case_evidence_live").on("case_evidence").columns(["case_id", "record_id"]).unique().where(sql.ref("withdrawn_at"), "is", null).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("case_evidence").execute();
  await db.schema.dropTable("cases").execute();
  await sql`delete from api_keys where role = 'consumer'`.execute(db);
  await sql`alter table api_keys drop constraint if exists api_keys_role_check`.execute(db);
  await sql`alter table api_keys add constraint api_keys_role_check check (role in ('admin', 'merchant', 'mediator'))`.execute(db);
}
