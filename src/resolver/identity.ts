// What the resolver knows about a GS1 Digital Link URI: the product, lot and item it names, each
// level's recall state and merchant-supplied links. Read-only; one round trip per level at most.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { ResolverLinkRow } from "../db/links.table.ts";
import type { FileRef } from "../db/products.table.ts";
import { notFound } from "../errors.ts";
import type { TraceViewT } from "../schemas/epcis.ts";

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

/** What one scan reads, in one statement: a scan is one round trip to PostgreSQL, not five. */
interface Found {
  product: { subject: string; name: string; brand: string | null; certificates: FileRef[] } | null;
  item: { subject: string; serial: string; lot: string } | null;
  lot: { subject: string; lot: string; certificates: FileRef[] } | null;
  recalls: Array<{ subject: string; disposition: string; event_time: string }> | null;
  links: ResolverLinkRow[] | null;
}

/**
 * The product, the item (by serial), the lot (the URI's, or else the item's), each level's
 * newest disposition and its live merchant links.
 *
 * Recall state (DESIGN.md "Traceability vocabulary"): a recall is an event with CBV disposition
 * `recalled` on a product or lot, withdrawn by a later event with another disposition; an event
 * an EPCIS error declaration corrected (EPCIS 2.0 §7.4.1.6) counts for nothing. This is the rule
 * of latestDispositions (src/trace/events/history-queries.ts), inlined here to keep one round trip.
 */
async function find(db: Db, query: IdentityQuery): Promise<Found> {
  const { rows } = await sql<Found>`
    with the_product as (select subject, name, brand, certificates from products where gtin = ${query.gtin}),
         the_item as (select subject, serial, lot from items where gtin = ${query.gtin} and serial = ${query.serial}),
         the_lot as (select subject, lot, certificates from lots where gtin = ${query.gtin} and lot = coalesce((select lot from the_item), ${query.lot})),
         levels as (select subject from the_product union all select subject from the_lot)
    select (select row_to_json(p) from the_product p) as product,
           (select row_to_json(i) from the_item i) as item,
           (select row_to_json(l) from the_lot l) as lot,
           (select json_agg(d) from (
              select distinct on (s.subject) s.subject, s.disposition, s.event_time
                from epcis_event_subjects s
               where s.subject in (select subject from levels) and s.disposition is not null and not s.declaration
                 and not exists (select 1 from epcis_events e where e.hash_id = s.hash_id and e.declaration)
               order by s.subject, s.event_time desc) d) as recalls,
           (select json_agg(l order by l.created_at) from resolver_links l
             where l.subject in (select subject from levels) and l.removed_at is null) as links`.execute(db);
  return rows[0]!;
}

/**
 * Looks the identifiers up. Anything unknown is a 404 naming the path parameter: Tracemark holds
 * every serial its merchants issue, so an unknown serial of a known product is not "less granular
 * information" to fall back on but a code Tracemark never issued, and answering it with the
 * product's links would make a counterfeit look registered.
 */
export async function identify(db: Db, query: IdentityQuery): Promise<Identity> {
  const found = await find(db, query);
  const { product, item } = found;
  if (!product) throw notFound(`GTIN ${query.gtin}`, "params.gtin");
  // A lot in the URI must be the item's own: /10/{other lot}/21/{serial} names no item.
  if (query.serial !== null && (!item || (query.lot !== null && item.lot !== query.lot))) throw notFound(`serial ${query.serial} of GTIN ${query.gtin}`, "params.serial");
  const lot = query.serial !== null || query.lot !== null ? found.lot : null;
  if ((query.lot !== null || item) && !lot) throw notFound(`lot ${query.lot} of GTIN ${query.gtin}`, "params.lot");

  const recall = new Map((found.recalls ?? []).map((r) => [r.subject, { recalled: r.disposition === "recalled", since: new Date(r.event_time).toISOString() }]));
  const linksOf = (subject: string) => (found.links ?? []).filter((l) => l.subject === subject).map((l) => ({ ...l, created_at: new Date(l.created_at) }));
  const levels: Level[] = [
    { kind: "product", anchor: product.subject, description: describe(product), certificates: product.certificates, recall: recall.get(product.subject) ?? null, links: linksOf(product.subject) },
  ];
  if (lot) {
    levels.push({ kind: "lot", anchor: lot.subject, description: describe(product, { lot: lot.lot }), certificates: lot.certificates, recall: recall.get(lot.subject) ?? null, links: linksOf(lot.subject) });
  }
  if (item) levels.push({ kind: "item", anchor: item.subject, description: describe(product, { serial: item.serial }), certificates: [], recall: null, links: [] });
  return { levels, requested: levels.at(-1)! };
}

/** A level's name in the linkset's title: the product (with its brand), then its lot or serial. */
function describe(product: { name: string; brand: string | null }, level: { lot: string } | { serial: string } | null = null): string {
  const name = product.brand ? `${product.name} (${product.brand})` : product.name;
  if (level === null) return name;
  return "lot" in level ? `${name}, lot ${level.lot}` : `${name}, serial ${level.serial}`;
}

/**
 * The level a request URI names, read from its history (GET /v1/trace's answer) instead of the
 * database: the scan page holds that history already. Null where identify() answers 404: the same
 * rules on the same rows (the history's product, lot and item are those tables' rows).
 */
export function requestedLevelOf(view: TraceViewT, query: IdentityQuery): Pick<Level, "kind" | "anchor" | "description"> | null {
  const { product, lot, item } = view;
  if (!product) return null;
  if (query.serial !== null && (!item || (query.lot !== null && lot?.lot !== query.lot))) return null;
  if ((query.lot !== null || query.serial !== null) && !lot) return null;
  if (query.serial !== null) return { kind: "item", anchor: item!.subject, description: describe(product, { serial: item!.serial }) };
  if (query.lot !== null) return { kind: "lot", anchor: lot!.subject, description: describe(product, { lot: lot!.lot }) };
  return { kind: "product", anchor: product.subject, description: describe(product) };
}
