// The scan page's live-stream claims and merchant qualification panels (issues 10 items 2 and 4),
// wired as scanPageData providers (src/pages/README.md "extension points"): claims made on air about
// the product in public streams, each with its public receipt so the page's verifier checks it like
// a timeline entry; and what the operator checked of the merchant's qualification documents.
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { claimsAboutProduct, type ProductClaim } from "../evidence/streams/claims.ts";
import { qualificationSummary, type QualificationSummary } from "../evidence/qualifications/summary.ts";
import type { Locale } from "../pages/locale.ts";
import { formatTime, PAGE_TIME_ZONE } from "../pages/scan.ts";

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

export function pageDate(value: string, locale: Locale): string {
  // A bare date is a calendar day: format it at noon UTC so no time zone moves it.
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T12:00:00Z`) : new Date(value);
  const timeZone = /^\d{4}-\d{2}-\d{2}$/.test(value) ? "UTC" : PAGE_TIME_ZONE;
  return at.toLocaleDateString(locale === "en" ? "en-GB" : "zh-CN", { timeZone, dateStyle: "medium" });
}

async function scanEvidence(app: FastifyInstance): Promise<void> {
  app.scanPageData.push(async (view): Promise<StreamClaimsData | Record<string, never>> => {
    if (view.product === null) return {};
    const claims = await claimsAboutProduct(app.db, view.product.gtin, MAX_CLAIMS);
    if (claims.length === 0) return {};
    const ids = [...new Set(claims.map((c) => c.merchantId))];
    const names = new Map((await app.db.selectFrom("merchants").select(["id", "name"]).where("id", "in", ids).execute()).map((m) => [m.id, m.name]));
    return {
      streamClaims: claims.map((c) => ({ ...c, merchantName: names.get(c.merchantId) ?? c.merchantId, data: { receipt: c.receipt, payload: c.payload } })),
      claimTime: formatTime,
    };
  });
  app.scanPageData.push(async (view): Promise<QualificationData | Record<string, never>> => {
    if (view.merchant === null) return {};
    const summary = await qualificationSummary(app.db, view.merchant.id, new Date(), PAGE_TIME_ZONE);
    if (summary.checked.length === 0) return {};
    return { qualification: summary, qualificationDate: pageDate };
  });
}

export default fp(scanEvidence, { name: "tracemark-scan-evidence", dependencies: ["tracemark-context", "tracemark-pages"] });
