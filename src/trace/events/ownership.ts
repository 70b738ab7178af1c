// A merchant captures events only about objects under its own GS1 Company Prefixes (issue 8;
// DESIGN.md "Subjects and chains": GS1 subjects belong to a merchant through its prefix).
//
// Objects under an own prefix that Tracemark has no row for (an item registered elsewhere, a case
// SSCC, a pallet) are accepted: the prefix is what makes them the merchant's, and EPCIS events
// routinely name objects no product catalogue lists. Their subjects are claimed for the merchant
// by the first record written on them.
import { sql } from "kysely";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { candidatePrefixes } from "./objects.ts";
import { eventField, type PlannedEvent } from "./plan.ts";

/** 403 naming the first object of an event that is not under one of the merchant's prefixes. One query for the whole document. */
export async function assertOwnObjects(db: Db, merchantId: string, events: readonly PlannedEvent[]): Promise<void> {
  const candidates = new Set<string>();
  for (const event of events) for (const o of event.objects) if (o.key) for (const p of candidatePrefixes(o.key)) candidates.add(p);
  const rows = candidates.size === 0 ? [] : (await sql<{ prefix: string }>`
      select prefix from merchant_prefixes where merchant_id = ${merchantId}::uuid and prefix = any(${[...candidates]}::text[])`.execute(db)).rows;
  const own = new Set(rows.map((r) => r.prefix));
  for (const event of events) {
    for (const o of event.objects) {
      if (o.key && candidatePrefixes(o.key).some((p) => own.has(p))) continue;
      const field = eventField(event.index, o.field);
      const why = o.key
        ? "is not under one of your GS1 Company Prefixes (GET /v1/merchant/prefixes lists them; the operator assigns them)"
        : "is not a GS1 identifier (an EPC URI or a GS1 Digital Link URI), so it cannot be shown to be yours";
      throw new AppError("FORBIDDEN", `${field} ${o.uri} ${why}`, { field });
    }
  }
}
