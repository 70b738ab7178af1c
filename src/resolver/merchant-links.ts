// Merchant-supplied resolver links: the owner of a product adds links of a GS1 link type or of
// its own to the product's or a lot's linkset, and removes them. Each change is a domain row and
// a public record on the product's or lot's subject, in one transaction (DESIGN.md "Domain
// model"), so where a scan was sent, and since when, is provable like the rest of the history.
import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import type { ResolverLinkRow } from "../db/links.table.ts";
import { AppError, invalid, notFound } from "../errors.ts";
import type { JsonValue } from "../merkle/index.ts";
import type { CreateLinkBodyT } from "../schemas/resolver.ts";
import { lockSubject, prevFor, writeDomainRecord, type Tx, type WrittenRecord } from "../trace/domain-write.ts";
import { gtin14Of, lotOf } from "../trace/gs1-input.ts";
import { lockOwnLot } from "../trace/lots.ts";
import { lockOwnProduct } from "../trace/products.ts";
import { linkTypeUri, RESERVED_LINK_TYPES, shortLinkType } from "./vocabulary.ts";

/** The record kind of a link change; its payload says what changed. */
export const LINK_KIND = "resolver.link";

/** Live links per product and its lots: a linkset stays readable on a phone. */
export const MAX_LINKS_PER_PRODUCT = 200;

export interface LinkView {
  id: string;
  anchor: string;
  linkType: string;
  href: string;
  title: string;
  type: string | null;
  hreflang: string[];
  context: string | null;
  createdAt: string;
}

export const linkView = (row: ResolverLinkRow): LinkView => ({
  id: row.id,
  anchor: row.subject,
  linkType: shortLinkType(row.link_type),
  href: row.href,
  title: row.title,
  type: row.media_type,
  hreflang: row.hreflang,
  context: row.context,
  createdAt: new Date(row.created_at).toISOString(),
});

const merchantOf = (principal: Principal): string => {
  if (principal.merchantId === null) throw new AppError("FORBIDDEN", "only the product's merchant changes its links");
  return principal.merchantId;
};

export async function addLink(db: Db, base: string, principal: Principal, gtinParam: string, body: CreateLinkBodyT): Promise<{ link: LinkView; record: WrittenRecord }> {
  const merchantId = merchantOf(principal);
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const lot = body.lot === undefined ? null : lotOf(body.lot, "body.lot");
  const linkType = linkTypeUri(body.linkType, base, "body.linkType");
  if (RESERVED_LINK_TYPES.has(linkType)) {
    throw invalid("body.linkType", `${shortLinkType(linkType)} is set by the resolver itself (exactly one default link per URI; no hand-off by company prefix)`);
  }
  return db.transaction().execute(async (tx) => {
    const product = await lockOwnProduct(tx, merchantId, gtin, "share");
    const subject = lot === null ? product.subject : (await lockOwnLot(tx, merchantId, gtin, lot, "share").catch(rethrowAs("body.lot"))).subject;
    const { count } = await tx.selectFrom("resolver_links").select((eb) => eb.fn.countAll<string>().as("count")).where("gtin", "=", gtin).where("removed_at", "is", null).executeTakeFirstOrThrow();
    if (Number(count) >= MAX_LINKS_PER_PRODUCT) throw new AppError("CONFLICT", `params.gtin: a product and its lots hold at most ${MAX_LINKS_PER_PRODUCT} links; remove one first`, { field: "params.gtin" });
    const row = await tx
      .insertInto("resolver_links")
      .values({
        id: randomUUID(),
        gtin,
        lot,
        merchant_id: merchantId,
        subject,
        link_type: linkType,
        href: body.href,
        title: body.title,
        media_type: body.type ?? null,
        hreflang: body.hreflang ?? [],
        context: body.context ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    const record = await writeLinkRecord(tx, principal, subject, { type: "link", action: "add", ...linkPayload(row) }, "params.gtin");
    return { link: linkView(row), record };
  });
}

export async function removeLink(db: Db, principal: Principal, gtinParam: string, linkId: string): Promise<{ link: LinkView; record: WrittenRecord }> {
  const merchantId = merchantOf(principal);
  const gtin = gtin14Of(gtinParam, "params.gtin");
  return db.transaction().execute(async (tx) => {
    await lockOwnProduct(tx, merchantId, gtin, "share");
    const row = await tx
      .updateTable("resolver_links")
      .set({ removed_at: new Date() })
      .where("id", "=", linkId)
      .where("gtin", "=", gtin)
      .where("merchant_id", "=", merchantId)
      .where("removed_at", "is", null)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw notFound("link", "params.linkId");
    const record = await writeLinkRecord(tx, principal, row.subject, { type: "link", action: "remove", id: row.id }, "params.linkId");
    return { link: linkView(row), record };
  });
}

export async function listLinks(db: Db, principal: Principal, gtinParam: string): Promise<LinkView[]> {
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const rows = await db
    .selectFrom("resolver_links")
    .innerJoin("products", "products.gtin", "resolver_links.gtin")
    .selectAll("resolver_links")
    .where("resolver_links.gtin", "=", gtin)
    .where("resolver_links.removed_at", "is", null)
    .$if(principal.merchantId !== null, (q) => q.where("products.merchant_id", "=", principal.merchantId as string))
    .orderBy("resolver_links.created_at")
    .execute();
  if (rows.length === 0) {
    const visible = await db.selectFrom("products").select("gtin").where("gtin", "=", gtin).$if(principal.merchantId !== null, (q) => q.where("merchant_id", "=", principal.merchantId as string)).executeTakeFirst();
    if (!visible) throw notFound("product", "params.gtin");
  }
  return rows.map(linkView);
}

function linkPayload(row: ResolverLinkRow): Record<string, JsonValue> {
  return {
    id: row.id,
    anchor: row.subject,
    linkType: row.link_type,
    href: row.href,
    title: row.title,
    ...(row.media_type === null ? {} : { mediaType: row.media_type }),
    hreflang: row.hreflang,
    ...(row.context === null ? {} : { context: row.context }),
  };
}

async function writeLinkRecord(tx: Tx, principal: Principal, subject: string, payload: JsonValue, field: string): Promise<WrittenRecord> {
  const prev = prevFor(await lockSubject(tx, subject), principal, subject, field);
  return writeDomainRecord(tx, principal, { kind: LINK_KIND, subject, payload, prev }, field);
}

/** lockOwnLot names params.lot; here the lot came in the body. */
const rethrowAs = (field: string) => (error: unknown): never => {
  if (error instanceof AppError && error.code === "NOT_FOUND") throw notFound("lot", field);
  throw error;
};
