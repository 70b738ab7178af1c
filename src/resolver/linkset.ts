// The links of a request URI, as an RFC 9264 linkset (GS1-Conformant Resolver 1.2 §"Linkset"):
// one link context object per level up to the primary key (product, lot, item), each with its
// anchor, a human-readable itemDescription, and its links keyed by link-type URI. Every link has
// the target URL, its type (the key) and a title, as Resolver 1.2 requires of every exposed link.
import { GS1_VOC, ownVocabulary } from "./vocabulary.ts";
import type { Identity, Level } from "./identity.ts";

export interface Link {
  href: string;
  title: string;
  type?: string;
  hreflang?: string[];
  context?: string[];
}

export interface LinkContext {
  anchor: string;
  itemDescription: string;
  links: Map<string, Link[]>;
}

/** Where Tracemark's own resources live, from PUBLIC_BASE_URL. */
export const targets = (base: string) => ({
  /** The scanner's history JSON (issue 8 item 6); the consumer page takes it over later. */
  history: (uri: string) => `${base}/v1/trace?uri=${encodeURIComponent(uri)}`,
  verify: `${base}/v1/verify`,
  trust: `${base}/.well-known/tracemark-trust.json`,
  linkset: (uri: string) => `${uri}${uri.includes("?") ? "&" : "?"}linkType=linkset`,
});

const JSON_TYPE = "application/json";

function recallTitle(level: Level): string {
  if (level.recall?.recalled) return `Recalled since ${level.recall.since}: see the history for the reason and instructions`;
  return level.kind === "item" ? "Recall status of this item's lot and product" : `Recall status: not recalled`;
}

/** The context object of one level: Tracemark's links, then the merchant's, in the order they were added. */
function contextOf(base: string, level: Level, isRequested: boolean): LinkContext {
  const to = targets(base);
  const links = new Map<string, Link[]>();
  const add = (type: string, link: Link) => links.set(type, [...(links.get(type) ?? []), link]);
  const history = to.history(level.anchor);

  // Exactly one default link, on the level the request names (Resolver 1.2: "SHALL recognise one
  // available link as the default for any given request URI").
  if (isRequested) add(`${GS1_VOC}defaultLink`, { href: history, title: `Traceability history of ${level.description}`, type: JSON_TYPE });
  if (level.kind === "product") add(`${GS1_VOC}pip`, { href: history, title: `Product information: ${level.description}`, type: JSON_TYPE });
  if (level.certificates.length > 0) {
    add(`${GS1_VOC}certificationInfo`, { href: history, title: `${level.certificates.length} certificate(s), by SHA-256, in the history`, type: JSON_TYPE });
  }
  add(`${GS1_VOC}recallStatus`, { href: history, title: recallTitle(level), type: JSON_TYPE });
  add(`${GS1_VOC}traceability`, { href: history, title: `Traceability history of ${level.description}, each record with its receipt`, type: JSON_TYPE });
  if (level.kind === "product") {
    add(`${GS1_VOC}verificationService`, { href: to.verify, title: "Verify a Tracemark receipt (POST it as JSON)", type: JSON_TYPE });
    add(`${ownVocabulary(base)}trustDocument`, { href: to.trust, title: "The chain and contract Tracemark anchors on, to pin when verifying", type: JSON_TYPE });
  }
  for (const row of level.links) {
    add(row.link_type, {
      href: row.href,
      title: row.title,
      ...(row.media_type === null ? {} : { type: row.media_type }),
      ...(row.hreflang.length === 0 ? {} : { hreflang: row.hreflang }),
      ...(row.context === null ? {} : { context: [row.context] }),
    });
  }
  return { anchor: level.anchor, itemDescription: level.description, links };
}

/** Every level's context, primary key first, as the model linkset orders them. */
export const contextsOf = (base: string, identity: Identity): LinkContext[] =>
  identity.levels.map((level) => contextOf(base, level, level === identity.requested));

/** The RFC 9264 §4.2 JSON document: { linkset: [ { anchor, itemDescription, "<link type URI>": [ … ] } ] }. */
export function linksetDocument(contexts: readonly LinkContext[]): { linkset: Record<string, unknown>[] } {
  return { linkset: contexts.map((c) => ({ anchor: c.anchor, itemDescription: c.itemDescription, ...Object.fromEntries(c.links) })) };
}
