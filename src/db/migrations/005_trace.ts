import { sql, type Kysely } from "kysely";

// Products, lots and serialised items (DESIGN.md "Domain model"), the GS1 Company Prefixes that
// make a merchant their owner, the canonical payload bytes of records, and background jobs.
//
// A domain row is what pages and queries read; the record on the row's subject is what proves it.
// Rows do not point at records: a row's history is the records of its subject (records_subject),
// and the subject's head is in `subjects`. So a row can be written before its record in the same
// transaction, which lets a bulk job find a serial collision on the row's key before it hashes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The exact RFC 8785 bytes whose SHA-256 is the envelope's contentHash (never jsonb, which
  // would reorder keys and re-encode numbers): public records show them, and the scan page
  // re-hashes them in the browser. Erasing personal data later deletes the row.
  await db.schema
    .createTable("record_payloads")
    .addColumn("record_id", "uuid", (c) => c.primaryKey().references("records.id"))
    .addColumn("payload", "text", (c) => c.notNull())
    .execute();

  // GS1 General Specifications §1.4.4: a GS1 Company Prefix is 4 to 12 digits, and no prefix is
  // the start of another (else the longer one's numbers would belong to two companies).
  await db.schema
    .createTable("merchant_prefixes")
    .addColumn("prefix", "text", (c) => c.primaryKey().check(sql`prefix ~ '^[0-9]{4,12}$'`))
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("merchant_prefixes_merchant").on("merchant_prefixes").columns(["merchant_id", "prefix"]).execute();

  await db.schema
    .createTable("products")
    .addColumn("gtin", "char(14)", (c) => c.primaryKey())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("subject", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("brand", "text")
    .addColumn("category", "text")
    .addColumn("origin", "text")
    .addColumn("description", "text")
    .addColumn("images", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("certificates", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("products_merchant").on("products").columns(["merchant_id", "gtin"]).execute();

  await db.schema
    .createTable("lots")
    .addColumn("gtin", "char(14)", (c) => c.notNull().references("products.gtin"))
    .addColumn("lot", "text", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("subject", "text", (c) => c.notNull().unique())
    .addColumn("production_date", "date")
    .addColumn("expiry_date", "date")
    .addColumn("origin", "text")
    .addColumn("certificates", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("updated_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("lots_pk", ["gtin", "lot"])
    .execute();

  await db.schema
    .createTable("jobs")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('queued', 'running', 'succeeded', 'failed')`))
    .addColumn("total", "integer", (c) => c.notNull().check(sql`total >= 0`))
    .addColumn("done", "integer", (c) => c.notNull().defaultTo(0))
    // What the job works on, as the API names it (e.g. {"gtin": …, "lot": …}).
    .addColumn("target", "jsonb", (c) => c.notNull())
    // The job hands its owner secrets once (scratch PINs), kept in the runner's memory only.
    .addColumn("secret_result", "boolean", (c) => c.notNull().defaultTo(false))
    .addColumn("error", "text")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("started_at", "timestamptz")
    .addColumn("finished_at", "timestamptz")
    .execute();

  // The subject is stored, not derived: PUBLIC_BASE_URL may change, the records' subjects do not.
  // No foreign keys: a job writes up to 100,000 rows, and the check of items → lots would lock
  // the one lot row 100,000 times (KEY SHARE, a multixact once two chunks run at once). The job
  // checks its lot before it starts, lots and merchants are never deleted, and items are written
  // by jobs only.
  await db.schema
    .createTable("items")
    .addColumn("gtin", "char(14)", (c) => c.notNull())
    .addColumn("serial", "text", (c) => c.notNull())
    .addColumn("lot", "text", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("job_id", "uuid")
    .addColumn("job_index", "integer")
    // HMAC-SHA256 of the scratch PIN under PIN_HMAC_KEY; the PIN itself is never stored.
    .addColumn("pin_hmac", "char(64)")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    // A serial is unique per GTIN (GS1 General Specifications §4.13: GTIN + serial identifies one item).
    .addPrimaryKeyConstraint("items_pk", ["gtin", "serial"])
    .execute();
  await db.schema.createIndex("items_lot").on("items").columns(["gtin", "lot"]).execute();
  await db.schema.createIndex("items_job").on("items").columns(["job_id", "job_index"]).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["items", "jobs", "lots", "products", "merchant_prefixes", "record_payloads"]) {
    await db.schema.dropTable(table).execute();
  }
}
