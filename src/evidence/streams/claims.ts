// What a host claimed on air about a product (issue 10): the quote, the price, the promises, the
// GTIN, the moment, a screenshot by SHA-256. Each claim is a JSON record on the stream's chain; in
// a public stream it is a public record (DESIGN.md "Visibility"), and the product's scan page lists
// it through claimsAboutProduct ("said on air on … at …").
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import type { JsonValue, Receipt } from "../../merkle/index.ts";
import { receiptOf, statusOf } from "../../records/receipts.ts";
import { findRecords, type RecordWithBatch } from "../../records/repository.ts";
import type { ReadScope } from "../../records/submitter.ts";
import type { ClaimBodyT, ClaimViewT } from "../../schemas/streams.ts";
import { writeDomainRecord, type WrittenRecord } from "../../trace/domain-write.ts";
import { gtin14Of } from "../../trace/gs1-input.ts";
import { productSubject } from "../../trace/subjects.ts";
import { findStream, lockOwnStream, refuseEnded, STREAM_KINDS } from "./streams.ts";

interface ClaimPayload {
  type: "claim";
  stream: string;
  product: string;
  gtin: string;
  quote: string;
  price?: { amount: string; currency: string };
  promises: string[];
  at: string;
  screenshot?: { sha256: string; mediaType: string };
}

export async function addClaim(db: Db, base: string, principal: Principal, streamId: string, body: ClaimBodyT): Promise<{ claim: ClaimViewT; record: WrittenRecord }> {
  const gtin = gtin14Of(body.gtin, "body.gtin");
  const at = body.at === undefined ? new Date() : new Date(body.at);
  if (Number.isNaN(at.getTime())) throw new AppError("VALIDATION_FAILED", "body.at is not a date-time", { field: "body.at" });
  return db.transaction().execute(async (tx) => {
    const { stream, prev } = await lockOwnStream(tx, principal, streamId);
    refuseEnded(stream);
    const payload: ClaimPayload = {
      type: "claim",
      stream: stream.subject,
      product: productSubject(base, gtin),
      gtin,
      quote: body.quote,
      ...(body.price !== undefined && { price: body.price }),
      promises: body.promises ?? [],
      at: at.toISOString(),
      ...(body.screenshot !== undefined && { screenshot: body.screenshot }),
    };
    const record = await writeDomainRecord(tx, principal, { kind: STREAM_KINDS.claim, subject: stream.subject, payload: payload as unknown as JsonValue, prev }, "params.streamId");
    await tx.insertInto("stream_claims").values({ record_id: record.id, stream_id: stream.id, gtin, said_at: at }).execute();
    return { claim: claimView(stream.id, record.id, payload, "accepted"), record };
  });
}

function claimView(streamId: string, id: string, p: ClaimPayload, status: ClaimViewT["status"]): ClaimViewT {
  return { id, streamId, gtin: p.gtin, quote: p.quote, price: p.price ?? null, promises: p.promises, at: p.at, screenshot: p.screenshot ?? null, status };
}

async function claimRows(db: Db, where: { streamId: string } | { gtin: string; limit: number }) {
  return db
    .selectFrom("stream_claims as c")
    .innerJoin("record_payloads as p", "p.record_id", "c.record_id")
    .innerJoin("streams as s", "s.id", "c.stream_id")
    .select(["c.record_id", "c.stream_id", "p.payload", "s.platform", "s.host", "s.room_url", "s.merchant_id"])
    .$if("streamId" in where, (q) => q.where("c.stream_id", "=", (where as { streamId: string }).streamId).orderBy("c.said_at").orderBy("c.created_at"))
    .$if("gtin" in where, (q) => q.where("c.gtin", "=", (where as { gtin: string }).gtin).where("s.public", "=", true).orderBy("c.said_at", "desc").limit((where as { limit: number }).limit))
    .execute();
}

export async function listClaims(db: Db, scope: ReadScope, streamId: string): Promise<ClaimViewT[]> {
  const stream = await findStream(db, scope, streamId);
  const rows = await claimRows(db, { streamId: stream.id });
  const records = new Map((await findRecords(db, rows.map((r) => r.record_id))).map((r) => [r.id, r]));
  return rows.map((r) => claimView(r.stream_id, r.record_id, JSON.parse(r.payload) as ClaimPayload, statusOf(records.get(r.record_id)!)));
}

/** A claim as the scan page shows it: who said it where, and the public record that proves it. */
export interface ProductClaim extends ClaimViewT {
  platform: string;
  host: string;
  roomUrl: string;
  merchantId: string;
  /** The exact canonical JSON bytes whose SHA-256 is the receipt's contentHash. */
  payload: string;
  receipt: Receipt;
}

/**
 * Claims made about a product in public streams, newest first (at most `limit`), each with its
 * public record's receipt and payload so that the scan page can verify it in the browser. Claims
 * in streams that are not public are never listed.
 */
export async function claimsAboutProduct(db: Db, gtin: string, limit = 50): Promise<ProductClaim[]> {
  const rows = await claimRows(db, { gtin: gtin14Of(gtin, "gtin"), limit });
  const records = new Map((await findRecords(db, rows.map((r) => r.record_id))).map((r): [string, RecordWithBatch] => [r.id, r]));
  return rows.map((r) => {
    const record = records.get(r.record_id)!;
    return {
      ...claimView(r.stream_id, r.record_id, JSON.parse(r.payload) as ClaimPayload, statusOf(record)),
      platform: r.platform,
      host: r.host,
      roomUrl: r.room_url,
      merchantId: r.merchant_id,
      payload: r.payload,
      receipt: receiptOf(record),
    };
  });
}
