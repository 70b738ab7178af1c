import { sql, type Kysely } from "kysely";

// Merchant-supplied resolver links (issue 8, GS1-Conformant Resolver 1.2): a link the owner of a
// product adds to the product's or one of its lots' linksets. Like every domain row, each change
// is also a public record on the product's or lot's subject (src/resolver/merchant-links.ts); a
// removed link keeps its row, marked, so the linkset never shows it and its history stays.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("resolver_links")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("gtin", "char(14)", (c) => c.notNull().references("products.gtin"))
    // null: the product's own link; else the lot's (AI 10).
    .addColumn("lot", "text")
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("link_type", "text", (c) => c.notNull())
    .addColumn("href", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("media_type", "text")
    .addColumn("hreflang", sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn("context", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("removed_at", "timestamptz")
    .addForeignKeyConstraint("resolver_links_lot", ["gtin", "lot"], "lots", ["gtin", "lot"])
    .execute();
  // The resolver reads a subject's live links on every scan.
  await db.schema.createIndex("resolver_links_live").on("resolver_links").columns(["subject", "created_at"]).where(sql.ref("removed_at"), "is", null).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("resolver_links").execute();
}
