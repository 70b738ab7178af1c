import { sql, type Kysely } from "kysely";

// Consumers (issue 9): scan counts for cloned-code detection, item claims, the wrong PINs that
// rate-limit claiming, and public notarizations.
//
// - scan_devices: one row per item subject and coarse device id (a salted HMAC of the client's
//   network and user agent, src/scans/device.ts: no raw IP is stored). Written only by the
//   in-memory aggregator's flush (src/scans/counter.ts), never once per page view.
// - item_claims: an item claimed by its buyer with the scratch PIN; the claim itself is a public
//   record on the item's subject (record_id), this row is what pages read and what makes a second
//   claim a 409 (the primary key).
// - claim_failures: wrong PINs, by item and by hashed client, counted over a window; kept in the
//   database so that the limit holds across replicas and restarts.
// - public_notarizations: what a keyless consumer notarized (the record is a normal record of the
//   "public" submitter below); the file name and size they gave, which the record does not hold.
//
// Records need an api_keys row as their submitter: the row `public` stands for "no key". It can
// never authenticate: its id is not a token's 12 hex digits, no secret hashes to all zeros, and it
// is revoked from the start.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("scan_devices")
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("device", "char(32)", (c) => c.notNull())
    .addColumn("first_at", "timestamptz", (c) => c.notNull())
    .addColumn("last_at", "timestamptz", (c) => c.notNull())
    .addColumn("checks", "bigint", (c) => c.notNull().check(sql`checks > 0`))
    .addPrimaryKeyConstraint("scan_devices_pk", ["subject", "device"])
    .execute();

  await db.schema
    .createTable("item_claims")
    .addColumn("subject", "text", (c) => c.primaryKey())
    .addColumn("record_id", "uuid", (c) => c.notNull().references("records.id"))
    .addColumn("device", "char(32)", (c) => c.notNull())
    .addColumn("claimed_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable("claim_failures")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("client", "char(32)", (c) => c.notNull())
    .addColumn("at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("claim_failures_subject").on("claim_failures").columns(["subject", "at"]).execute();
  await db.schema.createIndex("claim_failures_client").on("claim_failures").columns(["client", "at"]).execute();
  await db.schema.createIndex("claim_failures_at").on("claim_failures").column("at").execute();

  await db.schema
    .createTable("public_notarizations")
    .addColumn("record_id", "uuid", (c) => c.primaryKey().references("records.id"))
    .addColumn("file_name", "text")
    .addColumn("size", "bigint")
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`
    insert into api_keys (id, secret_hash, role, merchant_id, label, revoked_at)
    values ('public', ${"0".repeat(64)}, 'mediator', null, 'public submissions (no key; never authenticates)', now())
    on conflict (id) do nothing`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("public_notarizations").execute();
  await db.schema.dropTable("claim_failures").execute();
  await db.schema.dropTable("item_claims").execute();
  await db.schema.dropTable("scan_devices").execute();
  // Records written by the public submitter keep its row (records.submitter_key_id references it).
  await sql`delete from api_keys k where k.id = 'public' and not exists (select 1 from records r where r.submitter_key_id = k.id)`.execute(db);
}
