// The scan page's view model: the trace view (src/trace/events/trace-view.ts, the same answer as
// GET /v1/trace) said in the shopper's language. Every entry keeps its public receipt and payload
// for the browser verifier; the server's own status is shown too, labelled as the server's.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { cbvTerm } from "../epcis/cbv.ts";
import { BIZ_STEP_LABELS, DISPOSITION_LABELS } from "../epcis/cbv-labels.ts";
import type { BizStep, Disposition } from "../epcis/cbv.ts";
import type { TraceViewT } from "../schemas/epcis.ts";
import type { TrustDocument } from "../verifier/trust.ts";
import { formatTime, PAGE_TIME_ZONE } from "./dates.ts";
import type { Locale, translator } from "./locale.ts";

type T = ReturnType<typeof translator>;
type Entry = TraceViewT["timeline"][number];


/** The server's status of a record, as its own verdict (shown with JavaScript off, and until the browser's check ends). */
const SERVER_STATUS_KEYS: Record<string, string> = {
  accepted: "scan.server.accepted",
  sealed: "scan.server.sealed",
  submitted: "scan.server.submitted",
  anchored: "scan.server.anchored",
  final: "scan.server.final",
};

const KIND_KEYS: Record<string, string> = {
  "trace.product": "scan.kind.product",
  "trace.lot": "scan.kind.lot",
  "trace.item": "scan.kind.item",
};

const VIA_KEYS: Record<Entry["via"], string> = {
  item: "scan.via.item",
  lot: "scan.via.lot",
  product: "scan.via.product",
  container: "scan.via.container",
};

export interface ScanEntry {
  recordId: string;
  time: string;
  iso: string;
  title: string;
  disposition: string | null;
  via: string;
  errorDeclaration: boolean;
  declaredErroneous: boolean;
  server: string;
  /** The data the browser verifies: the public receipt and the payload's exact bytes. */
  data: { receipt: unknown; payload: string | null };
}

/**
 * Data other parts of the service add to the scan page (scan counts and claims, live-stream
 * claims, the merchant's qualification): each provider returns members for its partial, or {}
 * when it has nothing to say, and its partial then renders nothing. See src/pages/README.md.
 */
export type ScanPageDataProvider = (view: TraceViewT, request: FastifyRequest) => Promise<Record<string, unknown>>;

declare module "fastify" {
  interface FastifyInstance {
    /** Register with `app.scanPageData.push(provider)` from a plugin registered before the resolver routes. */
    scanPageData: ScanPageDataProvider[];
  }
}

export function decorateScanPageData(app: FastifyInstance): void {
  if (!app.hasDecorator("scanPageData")) app.decorate("scanPageData", []);
}

function label(t: T, locale: Locale, entry: Entry): { title: string; disposition: string | null } {
  const step = entry.bizStep === null ? undefined : (cbvTerm("bizStep", entry.bizStep) as BizStep | undefined);
  const disp = entry.disposition === null ? undefined : (cbvTerm("disposition", entry.disposition) as Disposition | undefined);
  const dispositionLabel = disp !== undefined ? DISPOSITION_LABELS[disp][locale] : entry.disposition;
  const kind = KIND_KEYS[entry.kind];
  if (kind !== undefined) return { title: t(kind), disposition: null };
  if (step !== undefined) return { title: BIZ_STEP_LABELS[step][locale], disposition: dispositionLabel };
  // A merchant's own bizStep URI has no label: it is shown as written.
  if (entry.bizStep !== null) return { title: entry.bizStep, disposition: dispositionLabel };
  if (dispositionLabel !== null) return { title: dispositionLabel, disposition: null };
  return { title: t("scan.kind.event"), disposition: null };
}

export function scanEntries(view: TraceViewT, t: T, locale: Locale): ScanEntry[] {
  return [...view.timeline]
    .sort((a, b) => a.time.localeCompare(b.time))
    .map((entry) => {
      const { title, disposition } = label(t, locale, entry);
      const block = entry.receipt.anchor?.blockNumber;
      return {
        recordId: entry.recordId,
        time: formatTime(entry.time, locale),
        iso: entry.time,
        title,
        disposition,
        via: t(VIA_KEYS[entry.via]),
        errorDeclaration: entry.errorDeclaration,
        declaredErroneous: entry.declaredErroneous,
        server: t(SERVER_STATUS_KEYS[entry.status] ?? "scan.server.accepted", { block: block ?? "" }),
        data: { receipt: entry.receipt, payload: entry.payload },
      };
    });
}

export interface ScanPageData {
  title: string;
  timeZone: string;
  view: TraceViewT;
  entries: ScanEntry[];
  trust: TrustDocument;
  dates: { production: string | null; expiry: string | null };
  recalls: Array<{ level: string; time: string; reason: string | null; instructions: string | null }>;
}

const LEVEL_KEYS: Record<string, string> = { product: "scan.level.product", lot: "scan.level.lot", item: "scan.level.item" };

export function scanPageData(view: TraceViewT, trust: TrustDocument, t: T, locale: Locale): ScanPageData {
  const gtin = view.product?.gtin ?? view.uri;
  return {
    title: view.product?.name ?? t("scan.unknownProduct", { gtin }),
    timeZone: PAGE_TIME_ZONE,
    view,
    entries: scanEntries(view, t, locale),
    trust,
    dates: { production: view.lot?.productionDate ?? null, expiry: view.lot?.expiryDate ?? null },
    recalls: view.recall.recalls.map((r) => ({ level: t(LEVEL_KEYS[r.level]!), time: formatTime(r.eventTime, locale), reason: r.reason, instructions: r.instructions })),
  };
}
