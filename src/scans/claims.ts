// Claiming an item (issue 9): the buyer types the scratch PIN printed under the label; the item
// becomes claimed. The claim is a public record on the item's subject, written through the domain
// write path so the subject's chain stays linear (src/trace/domain-write.ts), with no personal
// data: which item, how it was claimed, when. The claiming device (a salted hash, device.ts) is
// kept in item_claims, never in the record, so later scans can tell "this device" from others.
//
// Wrong PINs are limited per item and per client (claim_failures): a PIN of 8 characters from 36
// is about 41 bits, and at CLAIM_MAX_FAILURES_PER_ITEM (5) an hour guessing one takes longer than
// the item lasts. A refusal is a 429 that says which limit and when to retry.
import { timingSafeEqual } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { AppError, notFound } from "../errors.ts";
import { publicPrincipal } from "../public/submitter.ts";
import { tradeItemOf } from "../trace/events/uri.ts";
import { lockSubject, prevFor, writeDomainRecord, type WrittenRecord } from "../trace/domain-write.ts";
import { pinHmac, type PinKey } from "../trace/pins.ts";

export const CLAIM_KIND = "trace.claim";

export interface ClaimLimits {
  perItem: number;
  perClient: number;
  windowMs: number;
}

export interface ClaimContext {
  db: Db;
  pinKey: PinKey;
  limits: ClaimLimits;
}

export interface Claimant {
  /** Hashed client address (device.ts), for the per-client limit. */
  client: string;
  /** Hashed device id, remembered as the claimer's. */
  device: string;
}

/** A refusal that comes with a Retry-After (RFC 9110 §10.2.3), in seconds. */
export class RetryLater extends AppError {
  readonly retryAfterSeconds: number;
  constructor(message: string, field: string, retryAfterSeconds: number) {
    super("RATE_LIMITED", message, { field });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface Claimed {
  subject: string;
  claimedAt: string;
  record: WrittenRecord;
}

/** "ab12-cd34 " → "AB12CD34": PINs are printed in capitals and often read back with spaces or dashes. */
export const normalisePin = (pin: string): string => pin.replace(/[\s-]/g, "").toUpperCase();

export async function claimItem(ctx: ClaimContext, input: { uri: string; pin: string }, who: Claimant): Promise<Claimed> {
  const named = tradeItemOf(input.uri, "body.uri");
  if (named.level !== "item") throw new AppError("UNPROCESSABLE", "body.uri names a product or a lot: only a serialised item (with AI 21) can be claimed", { field: "body.uri" });
  const item = await ctx.db
    .selectFrom("items")
    .select(["subject", "gtin", "serial", "merchant_id", "pin_hmac"])
    .where("gtin", "=", named.gtin)
    .where("serial", "=", named.serial!)
    .executeTakeFirst();
  if (!item) throw notFound("item", "body.uri");
  if (item.pin_hmac === null) throw new AppError("UNPROCESSABLE", "body.uri: this item has no scratch PIN, so it cannot be claimed with one", { field: "body.uri" });
  if (await claimOf(ctx.db, item.subject)) throw alreadyClaimed();
  if (ctx.pinKey === null) throw new AppError("UNPROCESSABLE", "body.pin: this service has no PIN_HMAC_KEY, so it cannot check PINs; ask the operator to set one", { field: "body.pin" });

  await assertUnderLimits(ctx, item.subject, who.client);
  const expected = Buffer.from(item.pin_hmac, "hex");
  const given = Buffer.from(pinHmac(ctx.pinKey.key, item.gtin, item.serial, normalisePin(input.pin)), "hex");
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    await recordFailure(ctx, item.subject, who.client);
    throw new AppError("UNPROCESSABLE", "body.pin does not match this item's scratch PIN", { field: "body.pin" });
  }

  const principal = publicPrincipal(item.merchant_id);
  const claimed = await ctx.db.transaction().execute(async (tx) => {
    const head = await lockSubject(tx, item.subject);
    // Under the subject's lock: of two claims with the right PIN, the second sees the first.
    if (await claimOf(tx, item.subject)) throw alreadyClaimed();
    const claimedAt = new Date().toISOString();
    const record = await writeDomainRecord(
      tx,
      principal,
      { kind: CLAIM_KIND, subject: item.subject, payload: { type: "claim", item: item.subject, method: "scratch-pin", claimedAt }, prev: prevFor(head, principal, item.subject, "body.uri") },
      "body.uri",
    );
    await tx.insertInto("item_claims").values({ subject: item.subject, record_id: record.id, device: who.device, claimed_at: new Date(claimedAt) }).execute();
    return { subject: item.subject, claimedAt, record };
  });
  // Cached histories show the claim at once: the claim moved the item's subject head, which every
  // history request checks before it is answered (src/trace/events/trace-view.ts).
  return claimed;
}

const alreadyClaimed = () => new AppError("CONFLICT", "body.uri: this item has already been claimed", { field: "body.uri" });

/** The item's claim, if any (a transaction is a Db too). */
export async function claimOf(db: Db, subject: string) {
  return db.selectFrom("item_claims").select(["claimed_at", "device", "record_id"]).where("subject", "=", subject).executeTakeFirst();
}

async function assertUnderLimits(ctx: ClaimContext, subject: string, client: string): Promise<void> {
  const since = new Date(Date.now() - ctx.limits.windowMs);
  const { rows } = await sql<{ item_failures: number; item_oldest: Date | null; client_failures: number; client_oldest: Date | null }>`
    select (select count(*)::int from claim_failures where subject = ${subject} and at > ${since}) as item_failures,
           (select min(at) from claim_failures where subject = ${subject} and at > ${since}) as item_oldest,
           (select count(*)::int from claim_failures where client = ${client} and at > ${since}) as client_failures,
           (select min(at) from claim_failures where client = ${client} and at > ${since}) as client_oldest`.execute(ctx.db);
  const row = rows[0]!;
  const retryAfter = (oldest: Date | null) => Math.max(1, Math.ceil(((oldest ? new Date(oldest).getTime() : Date.now()) + ctx.limits.windowMs - Date.now()) / 1000));
  if (row.item_failures >= ctx.limits.perItem) {
    const seconds = retryAfter(row.item_oldest);
    throw new RetryLater(`too many wrong PINs for this item (${row.item_failures} within ${minutes(ctx.limits.windowMs)}): claiming it is paused; retry in ${seconds} s`, "body.pin", seconds);
  }
  if (row.client_failures >= ctx.limits.perClient) {
    const seconds = retryAfter(row.client_oldest);
    throw new RetryLater(`too many wrong PINs from your network address (${row.client_failures} within ${minutes(ctx.limits.windowMs)}): retry in ${seconds} s`, "body.pin", seconds);
  }
}

const minutes = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.ceil(ms / 1000)} s`);

async function recordFailure(ctx: ClaimContext, subject: string, client: string): Promise<void> {
  await ctx.db.insertInto("claim_failures").values({ subject, client }).execute();
  // Failures past the window count for nothing: drop them as new ones come (claim_failures_at).
  await ctx.db.deleteFrom("claim_failures").where("at", "<", new Date(Date.now() - ctx.limits.windowMs)).execute();
}
