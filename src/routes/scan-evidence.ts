// The scan page's live-stream claims and merchant qualification panels (issues 10 items 2 and 4),
// wired as scanPageData providers (src/pages/README.md "extension points"): claims made on air about
// the product in public streams, each with its public receipt so the page's verifier checks it like
// a timeline entry; and what the operator checked of the merchant's qualification documents.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { LRUCache } from "lru-cache";
import { claimsAboutProduct, type ProductClaim } from "../evidence/streams/claims.ts";
import { qualificationSummary, type QualificationSummary } from "../evidence/qualifications/summary.ts";
import type { Locale } from "../pages/locale.ts";
import { formatTime, PAGE_TIME_ZONE, pageDate } from "../pages/dates.ts";

/** At most this many claims on one page, newest first. */
const MAX_CLAIMS = 20;

// Type aliases, not interfaces: a provider returns Record<string, unknown>.
export type StreamClaimsData = {
  streamClaims: Array<ProductClaim & { merchantName: string; data: { receipt: ProductClaim["receipt"]; payload: string } }>;
  claimTime: (iso: string, locale: Locale) => string;
};

export type QualificationData = {
  qualification: QualificationSummary;
  /** A day (RFC 3339 instant or YYYY-MM-DD) as the page writes dates. */
  qualificationDate: (value: string, locale: Locale) => string;
};

/**
 * How old a panel may be when shown. A hot code is scanned hundreds of times a second, and these
 * panels change seldom (a claim said on air, an operator's decision): each is read at most once a
 * second per product or merchant, and concurrent scans share the read. A new claim, or a decision,
 * shows on the scan page within this; the timeline and a recall never wait (app.traceHistory).
 */
export const PANEL_MAX_AGE_MS = 1_000;
const PANELS_KEPT = 10_000;

/** A read shared by concurrent scans and kept for PANEL_MAX_AGE_MS. */
function briefly<V extends object>(read: (key: string) => Promise<V>): (key: string) => Promise<V> {
  const cache = new LRUCache<string, V>({ max: PANELS_KEPT, ttl: PANEL_MAX_AGE_MS, fetchMethod: (key) => read(key) });
  return async (key) => (await cache.fetch(key))!;
}

async function scanEvidence(app: FastifyInstance): Promise<void> {
  const streamClaims = briefly(async (gtin): Promise<StreamClaimsData | Record<string, never>> => {
    const claims = await claimsAboutProduct(app.db, gtin, MAX_CLAIMS);
    if (claims.length === 0) return {};
    const ids = [...new Set(claims.map((c) => c.merchantId))];
    const names = new Map((await app.db.selectFrom("merchants").select(["id", "name"]).where("id", "in", ids).execute()).map((m) => [m.id, m.name]));
    return {
      streamClaims: claims.map((c) => ({ ...c, merchantName: names.get(c.merchantId) ?? c.merchantId, data: { receipt: c.receipt, payload: c.payload } })),
      claimTime: formatTime,
    };
  });
  const qualification = briefly(async (merchantId): Promise<QualificationData | Record<string, never>> => {
    const summary = await qualificationSummary(app.db, merchantId, new Date(), PAGE_TIME_ZONE);
    if (summary.checked.length === 0) return {};
    return { qualification: summary, qualificationDate: pageDate };
  });
  app.scanPageData.push(async (view) => (view.product === null ? {} : streamClaims(view.product.gtin)));
  app.scanPageData.push(async (view) => (view.merchant === null ? {} : qualification(view.merchant.id)));
}

export default fp(scanEvidence, { name: "tracemark-scan-evidence", dependencies: ["tracemark-context", "tracemark-pages"] });
