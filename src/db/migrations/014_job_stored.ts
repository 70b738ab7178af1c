import { sql, type Kysely } from "kysely";

// How many units a job stored (a capture: events new to the service; the rest of `done` were
// duplicates), moved in the transaction that stores them, like `done`. GET /epcis/capture/{id}
// counted a capture's rows on every poll instead: one index entry per event, so a client polling
// a 10,000-event capture read up to 10,000 entries a poll (issue 8's bench: 5 % of PostgreSQL's
// CPU during a capture went to its own polls).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").addColumn("stored", "integer", (c) => c.notNull().defaultTo(0)).execute();
  // Captures made before: their count, once.
  await sql`
    update jobs set stored = (select count(*) from epcis_events e where e.capture_id = jobs.id)
     where kind = 'epcis.capture'`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable("jobs").dropColumn("stored").execute();
}
