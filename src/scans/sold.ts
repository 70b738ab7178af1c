// When an item left the merchant's hands, from its EPCIS history (CBV 2.0): the earliest event
// with a shipping or selling business step, or an in-transit or sold disposition, that names the
// item itself, its lot (class-level events, EPCIS 2.0 quantityList), or a container the item was
// inside at the time (EPCIS 2.0 §7.4.3 aggregation, followed as the history does). Events later
// declared erroneous (an errorDeclaration) do not count.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { containmentOf } from "../trace/events/history-queries.ts";
import { SHIPPED_OR_SOLD_BIZ_STEPS, SHIPPED_OR_SOLD_DISPOSITIONS } from "./clone-rules.ts";

export async function shippedOrSoldAt(db: Db, itemSubject: string): Promise<Date | null> {
  const { rows } = await sql<{ at: Date | null }>`
    with recursive ${containmentOf(itemSubject)},
    s(subject, "from", until) as (
      select ${itemSubject}::text, '-infinity'::timestamptz, null::timestamptz
      union all
      select l.subject, '-infinity'::timestamptz, null::timestamptz
        from items i join lots l on l.gtin = i.gtin and l.lot = i.lot where i.subject = ${itemSubject}
      union all
      select subject, "from", until from c
    )
    select min(es.event_time) as at
      from s
      join epcis_event_subjects es on es.subject = s.subject and es.event_time >= s."from" and (s.until is null or es.event_time <= s.until)
      join epcis_events e on e.hash_id = es.hash_id and e.declaration = es.declaration
     where not es.declaration
       and (e.biz_step = any(${[...SHIPPED_OR_SOLD_BIZ_STEPS]}::text[]) or es.disposition = any(${[...SHIPPED_OR_SOLD_DISPOSITIONS]}::text[]))
       and not exists (select 1 from epcis_events d where d.hash_id = es.hash_id and d.declaration)`.execute(db);
  const at = rows[0]?.at;
  return at ? new Date(at) : null;
}
