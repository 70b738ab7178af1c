import type { Generated, Selectable } from "kysely";

/** A merchant-supplied resolver link (migration 007_links). */
export interface ResolverLinksTable {
  id: string;
  gtin: string;
  /** null for a product-level link. */
  lot: string | null;
  merchant_id: string;
  /** The product's or lot's canonical Digital Link URI: the linkset context the link belongs to. */
  subject: string;
  /** The link type's full URI (https://ref.gs1.org/voc/pip, or one of another namespace). */
  link_type: string;
  href: string;
  title: string;
  media_type: string | null;
  hreflang: Generated<string[]>;
  context: string | null;
  created_at: Generated<Date>;
  removed_at: Date | null;
}
export type ResolverLinkRow = Selectable<ResolverLinksTable>;
