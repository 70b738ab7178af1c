import { sql, type Kysely } from "kysely";

// Live streams (issue 10): a stream a merchant opens, the claims its host makes on air, and the
// stream's HLS segments, each notarized as it is produced. Every row's record is on the stream's
// subject, urn:tracemark:stream:{uuid}, chained with `prev` (src/evidence/streams/), so a missing
// or reordered segment shows in the chain; the rows are what routes and pages read.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("streams")
    .addColumn("id", "uuid", (c) => c.primaryKey())
    .addColumn("merchant_id", "uuid", (c) => c.notNull().references("merchants.id"))
    .addColumn("subject", "text", (c) => c.notNull().unique())
    .addColumn("platform", "text", (c) => c.notNull())
    .addColumn("room_url", "text", (c) => c.notNull())
    .addColumn("host", "text", (c) => c.notNull())
    // GTIN-14s, in the order the merchant gave them.
    .addColumn("planned_gtins", "jsonb", (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    // A public stream's claims are public records: the scan page of the product lists them.
    .addColumn("public", "boolean", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull().check(sql`status in ('live', 'ended')`))
    .addColumn("opened_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn("ended_at", "timestamptz")
    // The final media playlist, by its SHA-256 (the record holds it too).
    .addColumn("final_playlist_sha256", "char(64)")
    .addColumn("final_record_id", "uuid")
    .addColumn("opened_record_id", "uuid", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("streams_merchant").on("streams").columns(["merchant_id", "opened_at"]).execute();

  await db.schema
    .createTable("stream_claims")
    .addColumn("record_id", "uuid", (c) => c.primaryKey())
    .addColumn("stream_id", "uuid", (c) => c.notNull().references("streams.id"))
    .addColumn("gtin", "char(14)", (c) => c.notNull())
    .addColumn("said_at", "timestamptz", (c) => c.notNull())
    .addColumn("created_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex("stream_claims_stream").on("stream_claims").columns(["stream_id", "said_at"]).execute();
  // claimsAboutProduct: the scan page's "said on air" list, newest first.
  await db.schema.createIndex("stream_claims_gtin").on("stream_claims").columns(["gtin", "said_at"]).execute();

  // One row per (stream, rendition, media sequence number): the key that makes a resubmitted
  // segment a duplicate, never a second record.
  await db.schema
    .createTable("stream_segments")
    .addColumn("stream_id", "uuid", (c) => c.notNull().references("streams.id"))
    .addColumn("rendition", "text", (c) => c.notNull())
    .addColumn("media_sequence", "bigint", (c) => c.notNull().check(sql`media_sequence >= 0`))
    .addColumn("uri", "text", (c) => c.notNull())
    .addColumn("program_date_time", "timestamptz")
    .addColumn("duration", "double precision", (c) => c.notNull())
    .addColumn("bytes", "bigint", (c) => c.notNull())
    .addColumn("sha256", "char(64)", (c) => c.notNull())
    .addColumn("record_id", "uuid", (c) => c.notNull())
    .addColumn("accepted_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("stream_segments_pk", ["stream_id", "rendition", "media_sequence"])
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["stream_segments", "stream_claims", "streams"]) await db.schema.dropTable(table).execute();
}
