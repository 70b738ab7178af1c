import { sql, type Kysely } from "kysely";

// EPCIS 2.0 events (issue 8): what the capture interface stored, which subjects each event is
// recorded on, and which containers held which objects when (AggregationEvents).
//
// No foreign keys: these rows are written only by src/trace/events/write.ts, in the transaction
// that writes the merchant's capture job, the events and their records, so what they point at
// exists; and a capture of 10,000 events would pay for 30,000 key checks (as items skip theirs).
//
// The proof of an event is its records: one public record (kind `epcis.event`, payload the event's
// RFC 8785 bytes) on the subject of each object the event names (src/trace/events/capture.ts says
// why). These tables are the index that history pages and queries read; they never hold the only
// copy of anything that is proven.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // One row per captured event. Its identity is the CBV 2.0 event hash ID (CBV 2.0 §8.9), which
  // leaves out eventID, recordTime and errorDeclaration: an EPCIS 2.0 error declaration is the
  // original event sent again with errorDeclaration added (EPCIS 2.0 §7.4.1.6), so it has the
  // original's hash ID and is told apart by `declaration`. The primary key refuses a second
  // capture of the same event (or of the same declaration), which makes captures idempotent.
  await db.schema
    .createTable("epcis_events")
    .addColumn("hash_id", "text", (c) => c.notNull())
    .addColumn("declaration", "boolean", (c) => c.notNull())
    .addColumn("merchant_id", "uuid", (c) => c.notNull())
    .addColumn("capture_id", "uuid", (c) => c.notNull())
    .addColumn("event_type", "text", (c) => c.notNull())
    .addColumn("event_time", "timestamptz", (c) => c.notNull())
    .addColumn("action", "text")
    .addColumn("biz_step", "text")
    .addColumn("disposition", "text")
    .addColumn("recorded_at", "timestamptz", (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint("epcis_events_pk", ["hash_id", "declaration"])
    .execute();
  await db.schema.createIndex("epcis_events_capture").on("epcis_events").column("capture_id").execute();

  // Event → the subjects it was recorded on, with the record that proves it there. event_time and
  // disposition are copied so that a subject's timeline, and its latest disposition (a recall),
  // come from this table's (subject, event_time) index alone.
  await db.schema
    .createTable("epcis_event_subjects")
    .addColumn("record_id", "uuid", (c) => c.primaryKey())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("hash_id", "text", (c) => c.notNull())
    .addColumn("declaration", "boolean", (c) => c.notNull())
    .addColumn("event_time", "timestamptz", (c) => c.notNull())
    .addColumn("disposition", "text")
    .execute();
  await db.schema.createIndex("epcis_event_subjects_subject").on("epcis_event_subjects").columns(["subject", "event_time"]).execute();
  await db.schema.createIndex("epcis_event_subjects_event").on("epcis_event_subjects").columns(["hash_id", "declaration"]).execute();

  // Containment from AggregationEvents (EPCIS 2.0 §7.4.3): `child` was inside `parent` from the
  // ADD event's time until the DELETE event's time (open while removed_at is null). An event on a
  // container belongs to the history of everything inside it at the event's time.
  await db.schema
    .createTable("epcis_containment")
    .addColumn("id", "bigserial", (c) => c.primaryKey())
    .addColumn("parent", "text", (c) => c.notNull())
    .addColumn("child", "text", (c) => c.notNull())
    .addColumn("added_at", "timestamptz", (c) => c.notNull())
    .addColumn("added_by", "text", (c) => c.notNull())
    .addColumn("removed_at", "timestamptz")
    .addColumn("removed_by", "text")
    .execute();
  await db.schema.createIndex("epcis_containment_child").on("epcis_containment").columns(["child", "added_at"]).execute();
  await db.schema.createIndex("epcis_containment_parent_open").on("epcis_containment").columns(["parent", "child"]).where(sql.ref("removed_at"), "is", null).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["epcis_containment", "epcis_event_subjects", "epcis_events"]) await db.schema.dropTable(table).execute();
}
