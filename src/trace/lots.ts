// Lots (batches) of a product: GTIN + AI (10) lot number, production date (AI 11), expiry date
// (AI 17), origin and inspection certificates by hash. A lot's records live on its subject,
// {PUBLIC_BASE_URL}/01/{gtin14}/10/{lot}; each holds the lot's whole state then.
import { sql } from "kysely";
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import type { LotRow } from "../db/lots.table.ts";
import type { FileRef } from "../db/products.table.ts";
import { AppError, notFound } from "../errors.ts";
import type { JsonValue } from "../merkle/index.ts";
import type { ReadScope } from "../records/submitter.ts";
import type { CreateLotBodyT, PatchLotBodyT } from "../schemas/trace.ts";
import { lockSubject, prevFor, TRACE_KINDS, writeDomainRecord, type Tx, type WrittenRecord } from "./domain-write.ts";
import { dateOf, gtin14Of, invalidField, lotOf } from "./gs1-input.ts";
import { historyOf, type HistoryEntry } from "./history.ts";
import { lockOwnProduct } from "./products.ts";
import { lotSubject, merchantUrn } from "./subjects.ts";

export interface LotState {
  productionDate: string | null;
  expiryDate: string | null;
  origin: string | null;
  certificates: FileRef[];
}

export interface LotView extends LotState {
  gtin: string;
  lot: string;
  subject: string;
  productSubject: string;
  merchantId: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  history: HistoryEntry[];
}

export function lotPayload(row: { gtin: string; lot: string; merchantId: string; productSubject: string }, state: LotState): JsonValue {
  return {
    type: "lot",
    gtin: row.gtin,
    lot: row.lot,
    product: row.productSubject,
    merchant: merchantUrn(row.merchantId),
    ...(state.productionDate !== null && { productionDate: state.productionDate }),
    ...(state.expiryDate !== null && { expiryDate: state.expiryDate }),
    ...(state.origin !== null && { origin: state.origin }),
    certificates: state.certificates.map(({ sha256, name, mediaType }) => ({ sha256, name, mediaType })),
  };
}

/** Dates in, as GS1 (YYMMDD) or ISO; the expiry cannot come before production. */
function datesOf(input: { productionDate?: string | null; expiryDate?: string | null }, current: LotState | null): Pick<LotState, "productionDate" | "expiryDate"> {
  const pick = (value: string | null | undefined, ai: "11" | "17", field: string, old: string | null) =>
    value === undefined ? old : value === null ? null : dateOf(ai, value, field);
  const productionDate = pick(input.productionDate, "11", "body.productionDate", current?.productionDate ?? null);
  const expiryDate = pick(input.expiryDate, "17", "body.expiryDate", current?.expiryDate ?? null);
  if (productionDate !== null && expiryDate !== null && expiryDate < productionDate) {
    throw invalidField("body.expiryDate", `${expiryDate} is before the production date ${productionDate}`);
  }
  return { productionDate, expiryDate };
}

// Dates come back as text: node-postgres would turn a `date` into a local-midnight Date.
const LOT_COLUMNS = [
  "gtin", "lot", "merchant_id", "subject", "origin", "certificates", "version", "created_at", "updated_at",
  sql<string | null>`to_char(production_date, 'YYYY-MM-DD')`.as("production_date"),
  sql<string | null>`to_char(expiry_date, 'YYYY-MM-DD')`.as("expiry_date"),
] as const;

const stateOf = (row: LotRow): LotState => ({ productionDate: row.production_date, expiryDate: row.expiry_date, origin: row.origin, certificates: row.certificates });

async function viewOf(db: Db, row: LotRow): Promise<LotView> {
  return {
    gtin: row.gtin,
    lot: row.lot,
    subject: row.subject,
    // The lot's subject is its product's with /10/{lot} added (URI Syntax 1.6 qualifier order).
    productSubject: row.subject.slice(0, row.subject.lastIndexOf("/10/")),
    merchantId: row.merchant_id,
    ...stateOf(row),
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    history: await historyOf(db, row.subject),
  };
}

export async function createLot(db: Db, base: string, principal: Principal, gtinParam: string, body: CreateLotBodyT): Promise<{ lot: LotView; record: WrittenRecord }> {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new AppError("FORBIDDEN", "only a merchant registers lots");
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const lot = lotOf(body.lot, "body.lot");
  const state: LotState = { ...datesOf(body, null), origin: body.origin ?? null, certificates: body.certificates ?? [] };
  const subject = lotSubject(base, gtin, lot);
  const { row, record } = await db.transaction().execute(async (tx) => {
    // Shared: lots of one product may be created side by side, but not while the product changes hands.
    const product = await lockOwnProduct(tx, merchantId, gtin, "share");
    const inserted = await tx
      .insertInto("lots")
      .values({ gtin, lot, merchant_id: merchantId, subject, production_date: state.productionDate, expiry_date: state.expiryDate, origin: state.origin, certificates: JSON.stringify(state.certificates) })
      .onConflict((oc) => oc.columns(["gtin", "lot"]).doNothing())
      .returning(LOT_COLUMNS)
      .executeTakeFirst();
    if (!inserted) throw new AppError("CONFLICT", `body.lot ${lot} of ${gtin} is registered already: change it with PATCH`, { field: "body.lot" });
    const prev = prevFor(await lockSubject(tx, subject), principal, subject, "body.lot");
    const payload = lotPayload({ gtin, lot, merchantId, productSubject: product.subject }, state);
    const record = await writeDomainRecord(tx, principal, { kind: TRACE_KINDS.lot, subject, payload, prev }, "body.lot");
    return { row: inserted as LotRow, record };
  });
  return { lot: await viewOf(db, row), record };
}

export async function editLot(db: Db, principal: Principal, gtinParam: string, lotParam: string, patch: PatchLotBodyT): Promise<{ lot: LotView; record: WrittenRecord }> {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new AppError("FORBIDDEN", "only a merchant edits lots");
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const lot = lotOf(lotParam, "params.lot");
  const { row, record } = await db.transaction().execute(async (tx) => {
    const product = await lockOwnProduct(tx, merchantId, gtin, "share");
    const current = await lockOwnLot(tx, merchantId, gtin, lot);
    const old = stateOf(current);
    const state: LotState = {
      ...datesOf(patch, old),
      origin: patch.origin === undefined ? old.origin : patch.origin,
      certificates: patch.certificates ?? old.certificates,
    };
    const prev = prevFor(await lockSubject(tx, current.subject), principal, current.subject, "params.lot");
    const payload = lotPayload({ gtin, lot, merchantId, productSubject: product.subject }, state);
    const record = await writeDomainRecord(tx, principal, { kind: TRACE_KINDS.lot, subject: current.subject, payload, prev }, "params.lot");
    const row = await tx
      .updateTable("lots")
      .set((eb) => ({
        production_date: state.productionDate,
        expiry_date: state.expiryDate,
        origin: state.origin,
        certificates: JSON.stringify(state.certificates),
        version: eb("version", "+", 1),
        updated_at: new Date(),
      }))
      .where("gtin", "=", gtin)
      .where("lot", "=", lot)
      .returning(LOT_COLUMNS)
      .executeTakeFirstOrThrow();
    return { row: row as LotRow, record };
  });
  return { lot: await viewOf(db, row), record };
}

/** The merchant's lot, row-locked for this transaction; anyone else's is a 404 as if it did not exist. */
export async function lockOwnLot(tx: Tx, merchantId: string, gtin14: string, lot: string, mode: "update" | "share" = "update"): Promise<LotRow> {
  return ownLot(tx, merchantId, gtin14, lot, mode);
}

/** The merchant's lot, read without a lock (a lock taken outside a transaction ends at once); else a 404 naming params.lot. */
export async function findOwnLot(db: Db, merchantId: string, gtin14: string, lot: string): Promise<LotRow> {
  return ownLot(db, merchantId, gtin14, lot, null);
}

async function ownLot(db: Tx | Db, merchantId: string, gtin14: string, lot: string, mode: "update" | "share" | null): Promise<LotRow> {
  const row = await db
    .selectFrom("lots")
    .select(LOT_COLUMNS)
    .where("gtin", "=", gtin14)
    .where("lot", "=", lot)
    .where("merchant_id", "=", merchantId)
    .$if(mode === "update", (q) => q.forUpdate())
    .$if(mode === "share", (q) => q.forShare())
    .executeTakeFirst();
  if (!row) throw notFound("lot", "params.lot");
  return row as LotRow;
}

export async function getLot(db: Db, scope: ReadScope, gtinParam: string, lotParam: string): Promise<LotView> {
  const gtin = gtin14Of(gtinParam, "params.gtin");
  const lot = lotOf(lotParam, "params.lot");
  const row = await db
    .selectFrom("lots")
    .select(LOT_COLUMNS)
    .where("gtin", "=", gtin)
    .where("lot", "=", lot)
    .$if(scope !== "all", (q) => q.where("merchant_id", "=", (scope as { merchantId: string }).merchantId))
    .executeTakeFirst();
  if (!row) throw notFound("lot", "params.lot");
  return viewOf(db, row as LotRow);
}
