import { sql, type Kysely } from "kysely";

// Transactions (issue 10 item 3) and their personal data (item 6). An order is a domain row plus
// private records on the subject urn:tracemark:order:{merchantId}:{orderRef}; its payments,
// chats, files and after-sales requests are further records on that subject's chain.
//
// - orders / order_items: what the service reads (an item's sold_at, for the clone rules);
//   no buyer column: the buyer exists only as a disclosable field of the order record.
// - record_disclosures: each committed field's disclosure (salt, name and value, docs/
//   disclosure-v1.md). Erasure and the retention purge delete rows here; the digests stay in the
//   record's payload, so every receipt keeps verifying.
// - after_sales: a request's state; its request, responses and resolution are records.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("orders")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("order_ref", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull().unique())
    .addColumn("placed_at", "timestamptz", (c) => c.notNull())
    .addColumn("currency", "text", (c) => c.notNull())
    .addColumn("total", "text", (c) => c.notNull())
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // Retention counts from the order's newest record (src/evidence/erasure/retention.ts).
    .addColumn("last_record_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("erased_at", "timestamptz")
    .addUniqueConstraint("orders_merchant_ref", ["merchant_id", "order_ref"])
    .execute();
  await db.schema.createIndex("orders_last_record_at").on("orders").column("last_record_at").execute();

  await db.schema
    .createTable("order_items")
    .addColumn("order_id", "uuid", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("gtin", "char(14)", (c) => c.notNull())
    .addColumn("serial", "text", (c) => c.notNull())
    .addColumn("price", "text", (c) => c.notNull())
    .addColumn("sold_at", "timestamptz", (c) => c.notNull())
    .addPrimaryKeyConstraint("order_items_pk", ["order_id", "gtin", "serial"])
    .addForeignKeyConstraint("order_items_item", ["gtin", "serial"], "items", ["gtin", "serial"])
    .execute();
  // "Is this serial sold?" (the clone rules), and "sold once only" (src/evidence/orders/orders.ts).
  await db.schema.createIndex("order_items_item").on("order_items").columns(["gtin", "serial"]).unique().execute();

  await db.schema
    .createTable("record_disclosures")
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("disclosure", "text", (c) => c.notNull())
    .addColumn("personal", "boolean", (c) => c.notNull().defaultTo(false))
    .addPrimaryKeyConstraint("record_disclosures_pk", ["record_id", "name"])
    .execute();

  await db.schema
    .createTable("after_sales")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("order_id", "uuid", (c) => c.notNull().references("orders.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("request_record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("after_sales_order").on("after_sales").column("order_id").execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("after_sales").execute();
  await db.schema.dropTable("record_disclosures").execute();
  await db.schema.dropTable("order_items").execute();
  await db.schema.dropTable("orders").execute();
}
