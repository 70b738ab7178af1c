import { sql, type Kysely } from "kysely";

// Migrations take Kysely<any>: they describe the schema as it was then, not as the code sees it now.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("merchants")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("secret_hash", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull().check(sql`role in ('admin', 'merchant', 'mediator')`))
    .addColumn("merchant_id", "uuid", (c) => c.references("merchants.id"))
    .addColumn("label", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("revoked_at", "timestamptz")
    // A merchant key is bound to exactly one merchant; the other roles to none.
    .addCheckConstraint("api_keys_merchant_binding", sql`(role = 'merchant') = (merchant_id is not null)`)
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("api_keys").execute();
  await db.schema.dropTable("merchants").execute();
}
