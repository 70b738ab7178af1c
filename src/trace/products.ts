// Products (issue 8): a GTIN under the merchant's GS1 Company Prefix, its description and the
// hashes of its images and certificates. Registration and every edit are records on the product's
// subject, {PUBLIC_BASE_URL}/01/{gtin14}, whose payload is the product's whole state then.
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import type { FileRef, ProductRow } from "../db/products.table.ts";
import { AppError, notFound } from "../errors.ts";
import type { JsonValue } from "../merkle/index.ts";
import type { ReadScope } from "../records/submitter.ts";
import type { CreateProductBodyT, PatchProductBodyT } from "../schemas/trace.ts";
import { lockSubject, prevFor, TRACE_KINDS, writeDomainRecord, type Tx, type WrittenRecord } from "./domain-write.ts";
import { gtin14Of } from "./gs1-input.ts";
import { historyOf, type HistoryEntry } from "./history.ts";
import { assertOwnGtin } from "./prefixes.ts";
import { merchantUrn, productSubject } from "./subjects.ts";

export interface ProductState {
  name: string;
  brand: string | null;
  category: string | null;
  origin: string | null;
  description: string | null;
  images: FileRef[];
  certificates: FileRef[];
}

export interface ProductView extends ProductState {
  gtin: string;
  subject: string;
  merchantId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

/** The record payload: what the product is now, in full, so each record reads on its own. Absent fields are left out. */
export function productPayload(gtin14: string, merchantId: string, state: ProductState): JsonValue {
  const files = (list: FileRef[]) => list.map(({ sha256, name, mediaType }) => ({ sha256, name, mediaType }));
  return {
    type: "product",
    gtin: gtin14,
    merchant: merchantUrn(merchantId),
    name: state.name,
    ...(state.brand !== null && { brand: state.brand }),
    ...(state.category !== null && { category: state.category }),
    ...(state.origin !== null && { origin: state.origin }),
    ...(state.description !== null && { description: state.description }),
    images: files(state.images),
    certificates: files(state.certificates),
  };
}

const stateOf = (row: ProductRow): ProductState => ({
  name: row.name,
  brand: row.brand,
  category: row.category,
  origin: row.origin,
  description: row.description,
  images: row.images,
  certificates: row.certificates,
});

const columnsOf = (state: ProductState) => ({
  ...state,
  images: JSON.stringify(state.images),
  certificates: JSON.stringify(state.certificates),
});

async function viewOf(db: Db, row: ProductRow): Promise<ProductView> {
  return {
    gtin: row.gtin,
    subject: row.subject,
    merchantId: row.merchant_id,
    ...stateOf(row),
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    history: await historyOf(db, row.subject),
  };
}

function merchantOf(principal: Principal): string {
  if (principal.merchantId === null) throw new AppError("FORBIDDEN", "only a merchant registers products");
  return principal.merchantId;
}

export async function createProduct(db: Db, base: string, principal: Principal, body: CreateProductBodyT): Promise<{ product: ProductView; record: WrittenRecord }> {
  const merchantId = merchantOf(principal);
  const gtin = gtin14Of(body.gtin, "body.gtin");
  await assertOwnGtin(db, merchantId, gtin, "body.gtin");
  const subject = productSubject(base, gtin);
  const state: ProductState = {
    name: body.name,
    brand: body.brand ?? null,
    category: body.category ?? null,
    origin: body.origin ?? null,
    description: body.description ?? null,
    images: body.images ?? [],
    certificates: body.certificates ?? [],
  };
  const { row, record } = await db.transaction().execute(async (tx) => {
    const row = await tx
      .insertInto("products")
      .values({ gtin, merchant_id: merchantId, subject, ...columnsOf(state) })
      .onConflict((oc) => oc.column("gtin").doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new AppError("CONFLICT", `body.gtin ${gtin} is registered already: change it with PATCH /v1/products/${gtin}`, { field: "body.gtin" });
    const prev = prevFor(await lockSubject(tx, subject), principal, subject, "body.gtin");
    const record = await writeDomainRecord(tx, principal, { kind: TRACE_KINDS.product, subject, payload: productPayload(gtin, merchantId, state), prev }, "body.gtin");
    return { row, record };
  });
  return { product: await viewOf(db, row), record };
}

/**
 * An edit is a new record on the product's subject holding the new state, chained to the head
 * under the subject's row lock; the row then shows the new state. The product's own row is locked
 * first, in every write path, so two edits queue up rather than deadlock.
 */
export async function editProduct(db: Db, principal: Principal, gtinParam: string, patch: PatchProductBodyT): Promise<{ product: ProductView; record: WrittenRecord }> {
  const merchantId = merchantOf(principal);
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const { row, record } = await db.transaction().execute(async (tx) => {
    const current = await lockOwnProduct(tx, merchantId, gtin);
    const state: ProductState = { ...stateOf(current), ...patch };
    const prev = prevFor(await lockSubject(tx, current.subject), principal, current.subject, "params.gtin");
    const record = await writeDomainRecord(tx, principal, { kind: TRACE_KINDS.product, subject: current.subject, payload: productPayload(gtin, merchantId, state), prev }, "params.gtin");
    const row = await tx
      .updateTable("products")
      .set((eb) => ({ ...columnsOf(state), version: eb("version", "+", 1), updated_at: new Date() }))
      .where("gtin", "=", gtin)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, record };
  });
  return { product: await viewOf(db, row), record };
}

/** The merchant's product, locked for this transaction; anyone else's is a 404 as if it did not exist. */
export async function lockOwnProduct(tx: Tx, merchantId: string, gtin14: string, mode: "update" | "share" = "update"): Promise<ProductRow> {
  const row = await tx
    .selectFrom("products")
    .selectAll()
    .where("gtin", "=", gtin14)
    .where("merchant_id", "=", merchantId)
    .$if(mode === "update", (q) => q.forUpdate())
    .$if(mode === "share", (q) => q.forShare())
    .executeTakeFirst();
  if (!row) throw notFound("product", "params.gtin");
  return row;
}

export async function getProduct(db: Db, scope: ReadScope, gtinParam: string): Promise<ProductView> {
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const row = await db
    .selectFrom("products")
    .selectAll()
    .where("gtin", "=", gtin)
    .$if(scope !== "all", (q) => q.where("merchant_id", "=", (scope as { merchantId: string }).merchantId))
    .executeTakeFirst();
  if (!row) throw notFound("product", "params.gtin");
  return viewOf(db, row);
}
