// What the resolver knows about a GS1 Digital Link URI: the product, lot and item it names, each
// level's recall state and merchant-supplied links. Read-only; one round trip per level at most.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { ResolverLinkRow } from "../db/links.table.ts";
import type { FileRef } from "../db/products.table.ts";
import { notFound } from "../errors.ts";

export interface RecallState {
  recalled: boolean;
  /** When the event that set the current state happened (RFC 3339), null when there never was one. */
  since: string | null;
}

export interface Level {
  kind: "product" | "lot" | "item";
  /** The level's canonical Digital Link URI: the linkset anchor. */
  anchor: string;
  description: string;
  certificates: readonly FileRef[];
  recall: RecallState | null;
  links: readonly ResolverLinkRow[];
}

/** The levels a request URI names, primary key first (product, lot, item), as GS1 Resolver 1.2 lists them. */
export interface Identity {
  levels: Level[];
  /** The level the request URI itself names: the last of `levels`. */
  requested: Level;
}

export interface IdentityQuery {
  gtin: string;
  lot: string | null;
  serial: string | null;
}

/**
 * Looks the identifiers up. Anything unknown is a 404 naming the path parameter: Tracemark holds
 * every serial its merchants issue, so an unknown serial of a known product is not "less granular
 * information" to fall back on but a code Tracemark never issued, and answering it with the
 * product's links would make a counterfeit look registered.
 */
export async function identify(db: Db, query: IdentityQuery): Promise<Identity> {
  const product = await db.selectFrom("products").select(["subject", "name", "brand", "certificates"]).where("gtin", "=", query.gtin).executeTakeFirst();
  if (!product) throw notFound(`GTIN ${query.gtin}`, "params.gtin");

  let lot = query.lot;
  let item: { subject: string; serial: string } | null = null;
  if (query.serial !== null) {
    const row = await db.selectFrom("items").select(["subject", "serial", "lot"]).where("gtin", "=", query.gtin).where("serial", "=", query.serial).executeTakeFirst();
    // A lot in the URI must be the item's own: /10/{other lot}/21/{serial} names no item.
    if (!row || (lot !== null && row.lot !== lot)) throw notFound(`serial ${query.serial} of GTIN ${query.gtin}`, "params.serial");
    item = { subject: row.subject, serial: row.serial };
    lot = row.lot;
  }
  const lotRow = lot === null ? null : await db.selectFrom("lots").select(["subject", "certificates"]).where("gtin", "=", query.gtin).where("lot", "=", lot).executeTakeFirst();
  if (lot !== null && !lotRow) throw notFound(`lot ${lot} of GTIN ${query.gtin}`, "params.lot");

  const subjects = [product.subject, ...(lotRow ? [lotRow.subject] : [])];
  const [recalls, links] = await Promise.all([recallStates(db, subjects), liveLinks(db, subjects)]);
  const name = product.brand ? `${product.name} (${product.brand})` : product.name;
  const levels: Level[] = [
    { kind: "product", anchor: product.subject, description: name, certificates: product.certificates, recall: recalls.get(product.subject) ?? null, links: links.get(product.subject) ?? [] },
  ];
  if (lotRow && lot !== null) {
    levels.push({ kind: "lot", anchor: lotRow.subject, description: `${name}, lot ${lot}`, certificates: lotRow.certificates, recall: recalls.get(lotRow.subject) ?? null, links: links.get(lotRow.subject) ?? [] });
  }
  if (item) levels.push({ kind: "item", anchor: item.subject, description: `${name}, serial ${item.serial}`, certificates: [], recall: null, links: [] });
  return { levels, requested: levels.at(-1)! };
}

/**
 * The recall state of each subject (DESIGN.md "Traceability vocabulary"): a recall is an event
 * with CBV disposition `recalled` on a product or lot, withdrawn by a later event with another
 * disposition; an event that an EPCIS error declaration corrected (EPCIS 2.0 §7.4.1.6) counts
 * for nothing.
 */
async function recallStates(db: Db, subjects: readonly string[]): Promise<Map<string, RecallState>> {
  const rows = await sql<{ subject: string; disposition: string; event_time: Date }>`
    select distinct on (s.subject) s.subject, s.disposition, s.event_time
      from epcis_event_subjects s
     where s.subject = any(${subjects as string[]}::text[])
       and s.disposition is not null
       and not s.declaration
       and not exists (select 1 from epcis_events d where d.hash_id = s.hash_id and d.declaration)
     order by s.subject, s.event_time desc`.execute(db);
  return new Map(rows.rows.map((r) => [r.subject, { recalled: r.disposition === "recalled", since: new Date(r.event_time).toISOString() }]));
}

async function liveLinks(db: Db, subjects: readonly string[]): Promise<Map<string, ResolverLinkRow[]>> {
  const rows = await db.selectFrom("resolver_links").selectAll().where("subject", "in", subjects).where("removed_at", "is", null).orderBy("created_at").execute();
  const bySubject = new Map<string, ResolverLinkRow[]>();
  for (const row of rows) bySubject.set(row.subject, [...(bySubject.get(row.subject) ?? []), row]);
  return bySubject;
}
