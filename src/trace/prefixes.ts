// GS1 Company Prefixes: the operator assigns them to merchants, and a merchant registers GTINs
// only under its own (DESIGN.md "Subjects and chains": GS1 subjects belong to a merchant through
// its GS1 Company Prefix).
//
// GS1 General Specifications §1.4.4: a GS1 Company Prefix is 4–12 digits, and one company's
// prefix is never the start of another's, so a number has at most one owner. §3.3.2: a GTIN-13
// (and a GTIN-12, read with a leading 0; and a GTIN-14 after its indicator digit) starts with the
// prefix of the company that allocated it. A GTIN-8 is different: it is not built from a company
// prefix, a GS1 Member Organisation allocates each one. Its GTIN-14 form is 000000 + GTIN-8, so
// after the indicator digit it reads 00000 + the GTIN-8; Tracemark lets the operator assign one
// GTIN-8 as the 12-digit "prefix" 00000 + its first seven digits, which the ordinary rule then
// covers, and refuses shorter prefixes starting with 00000 (that range holds only GTIN-8s, §1.4.3).
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { findMerchant } from "../merchants/merchants.ts";
import { invalidField } from "./gs1-input.ts";

export interface PrefixView {
  prefix: string;
  merchantId: string;
  createdAt: string;
}

const view = (row: { prefix: string; merchant_id: string; created_at: Date }): PrefixView => ({
  prefix: row.prefix,
  merchantId: row.merchant_id,
  createdAt: new Date(row.created_at).toISOString(),
});

/** Assigns `prefix` to the merchant; 404 for an unknown merchant, 409 when it overlaps an assigned prefix. */
export async function assignPrefix(db: Db, merchantId: string, prefix: string): Promise<PrefixView> {
  const field = "body.prefix";
  if (!/^[0-9]{4,12}$/.test(prefix)) throw invalidField(field, "must be a GS1 Company Prefix: 4 to 12 digits");
  if (prefix.startsWith("00000") && prefix.length !== 12) {
    throw invalidField(field, "starts with 00000, where GS1 allocates GTIN-8s one by one: assign a GTIN-8 as 00000 and its first seven digits (12 digits)");
  }
  if (!(await findMerchant(db, merchantId))) throw notFound("merchant", "params.merchantId");
  return db.transaction().execute(async (tx) => {
    // Overlap is a rule between rows, which no index enforces: one assignment at a time decides
    // it. EXCLUSIVE leaves the table readable (GTIN checks go on) while a prefix is assigned.
    await sql`lock table merchant_prefixes in exclusive mode`.execute(tx);
    const clash = await tx
      .selectFrom("merchant_prefixes")
      .select(["prefix", "merchant_id"])
      .where((eb) => eb.or([eb(sql.lit(prefix), "like", sql<string>`prefix || '%'`), eb("prefix", "like", `${prefix}%`)]))
      .orderBy("prefix")
      .executeTakeFirst();
    if (clash) {
      const whose = clash.merchant_id === merchantId ? "this merchant" : "another merchant";
      const how = clash.prefix === prefix ? "is assigned" : clash.prefix.length < prefix.length ? `falls under ${clash.prefix}, assigned` : `would cover ${clash.prefix}, assigned`;
      throw new AppError("CONFLICT", `${field} ${prefix} ${how} to ${whose}: GS1 Company Prefixes never overlap (GS1 General Specifications §1.4.4)`, { field });
    }
    const row = await tx.insertInto("merchant_prefixes").values({ prefix, merchant_id: merchantId }).returningAll().executeTakeFirstOrThrow();
    return view(row);
  });
}

export async function listPrefixes(db: Db, merchantId: string): Promise<PrefixView[]> {
  const rows = await db.selectFrom("merchant_prefixes").selectAll().where("merchant_id", "=", merchantId).orderBy("prefix").execute();
  return rows.map(view);
}

/** The merchant whose prefix the GTIN-14 is under, or null: its digits after the indicator start with the prefix. */
export async function ownerOfGtin(db: Db, gtin14: string): Promise<string | null> {
  const digits = gtin14.slice(1);
  const candidates = [];
  for (let length = 4; length <= 12; length++) candidates.push(digits.slice(0, length));
  const row = await db.selectFrom("merchant_prefixes").select("merchant_id").where("prefix", "in", candidates).executeTakeFirst();
  return row?.merchant_id ?? null;
}

/** 403 naming `field` unless the GTIN-14 is under one of the merchant's prefixes. */
export async function assertOwnGtin(db: Db, merchantId: string, gtin14: string, field: string): Promise<void> {
  if ((await ownerOfGtin(db, gtin14)) === merchantId) return;
  throw new AppError("FORBIDDEN", `${field} ${gtin14} is not under one of your GS1 Company Prefixes (GET /v1/merchant/prefixes lists them; the operator assigns them)`, { field });
}
