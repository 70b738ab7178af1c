import { sql, type Kysely } from "kysely";

// Indexes of the EPCIS 2.0 query interface (GET /epcis/events, GET /epcis/epcs/{epc}/events;
// src/trace/events/query.ts). Every filter the interface takes is answered from one of these, or
// from the indexes of 006_epcis, never by reading the whole table (test/trace/epcis-query.test.ts
// holds each filter's plan to an index scan):
// - a merchant's events in event time order, the order pages are read in (keyset pagination on
//   event_time, hash_id, declaration), and with EQ_bizStep, EQ_disposition or a recordTime range;
// - events naming an object: epcis_event_subjects (subject, event_time), from 006;
// - events naming anything of one GTIN (an EPC pattern such as urn:epc:idpat:sgtin:0614141.107346.*):
//   the GTIN-14 of the subject's Digital Link path, as an expression index. Subjects are canonical
//   Digital Links on PUBLIC_BASE_URL (`{base}/01/{gtin14}…`), so the GTIN is the 14 digits after `/01/`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("epcis_events_merchant_time").on("epcis_events").columns(["merchant_id", "event_time", "hash_id", "declaration"]).execute();
  await db.schema.createIndex("epcis_events_merchant_biz_step").on("epcis_events").columns(["merchant_id", "biz_step", "event_time"]).execute();
  await db.schema.createIndex("epcis_events_merchant_disposition").on("epcis_events").columns(["merchant_id", "disposition", "event_time"]).execute();
  await db.schema.createIndex("epcis_events_merchant_recorded").on("epcis_events").columns(["merchant_id", "recorded_at"]).execute();
  await sql`create index epcis_event_subjects_gtin on epcis_event_subjects ((${sql.raw(SUBJECT_GTIN_SQL)}), event_time)`.execute(db);
}

/** The GTIN-14 of a subject (null for a non-GS1 or non-GTIN subject); queries must write the very same expression. */
export const SUBJECT_GTIN_SQL = "substring(subject from '/01/([0-9]{14})')";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ["epcis_event_subjects_gtin", "epcis_events_merchant_recorded", "epcis_events_merchant_disposition", "epcis_events_merchant_biz_step", "epcis_events_merchant_time"]) {
    await db.schema.dropIndex(index).execute();
  }
}
