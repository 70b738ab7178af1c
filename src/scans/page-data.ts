// The scan page's clone panel and claim form (issue 9), as data for its templates: the scan page
// (src/pages/scan-page.ts) asks every `scanPageData` provider for extra data with the history it
// rendered; this one counts the view (recordScan: in memory) and reads the item's scan summary.
// Only items are counted and claimed: a product's or a lot's code is printed on many items.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { formatTime } from "../pages/dates.ts";
import type { TraceViewT } from "../schemas/epcis.ts";
import { SHIPPED_OR_SOLD_BIZ_STEPS, SHIPPED_OR_SOLD_DISPOSITIONS } from "./clone-rules.ts";
import type { ScanSummary } from "./summary.ts";

/**
 * The earliest shipping or sale in a history the page already holds (the same rule as sold.ts,
 * which reads it from the database): events on the item, its lot, or a case it was in; not
 * corrections, nor events a later correction declared erroneous.
 */
export function shippedOrSoldIn(view: TraceViewT): Date | null {
  let earliest: number | null = null;
  for (const e of view.timeline) {
    if (e.via === "product" || e.errorDeclaration || e.declaredErroneous) continue;
    const hit = (e.bizStep !== null && SHIPPED_OR_SOLD_BIZ_STEPS.has(e.bizStep)) || (e.disposition !== null && SHIPPED_OR_SOLD_DISPOSITIONS.has(e.disposition));
    if (!hit) continue;
    const at = Date.parse(e.time);
    if (!Number.isNaN(at) && (earliest === null || at < earliest)) earliest = at;
  }
  return earliest === null ? null : new Date(earliest);
}

/** How the claim form's last submission went (POST /claim redirects back with ?claim=…). */
export const CLAIM_RESULTS = ["done", "wrong", "limited", "taken", "invalid"] as const;
export type ClaimResult = (typeof CLAIM_RESULTS)[number];

export interface ScanPanelData {
  scans: ScanSummary & { subject: string };
  /** The claim panel: for items with a scratch PIN. */
  claim: { uri: string; claimable: boolean; claimedAt: string | null; claimedByThisDevice: boolean; result: ClaimResult | null; retryMinutes: number | null } | null;
  /** Dates as the scan page shows them (its time zone, the reader's language). */
  scanTime: typeof formatTime;
}

export async function scanPanelData(app: FastifyInstance, view: TraceViewT, request: FastifyRequest): Promise<ScanPanelData | Record<string, never>> {
  if (view.level !== "item" || view.item === null) return {};
  const subject = view.item.subject;
  app.scans.recordScan(request, subject);
  const summary = await app.scans.summary(request, subject, { shippedOrSoldAt: shippedOrSoldIn(view) });
  const query = request.query as Record<string, unknown> | undefined;
  const result = (CLAIM_RESULTS as readonly unknown[]).includes(query?.["claim"]) ? (query!["claim"] as ClaimResult) : null;
  const retry = Number(query?.["retry"]);
  return {
    scans: { ...summary, subject },
    claim: view.item.pinProtected
      ? {
          uri: subject,
          claimable: summary.claimedAt === null,
          claimedAt: summary.claimedAt,
          claimedByThisDevice: summary.claimedByThisDevice,
          result,
          retryMinutes: result === "limited" && Number.isFinite(retry) && retry > 0 ? Math.ceil(retry / 60) : null,
        }
      : null,
    scanTime: formatTime,
  };
}
