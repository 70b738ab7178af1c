// Recalls (issue 8): an EPCIS 2.0 ObjectEvent with the CBV 2.0 disposition `recalled` on a product
// (its GTIN as an EPC class) or a lot (GTIN + lot), captured like any other event; every item
// under it shows the recall, because an item's history holds its lot's and product's chains.
//
// CBV 2.0 has no field for why, or what holders should do, so those travel as extension fields in
// Tracemark's own namespace (EPCIS 2.0 §7.1.3 user extensions: a namespaced JSON-LD property):
// `tracemark:recallReason` and `tracemark:recallInstructions`. A recall stays in force until a
// later event on the same product or lot carries another disposition; a withdrawal is such an
// event, disposition `conformant` (the goods meet their specification after all), with
// `tracemark:recallWithdrawal` saying why. Nothing is edited: both events stay in every history.
import type { Principal } from "../../auth/api-keys.ts";
import { AppError, notFound } from "../../errors.ts";
import type { RecallBodyT, RecallWithdrawalBodyT } from "../../schemas/epcis.ts";
import { gtin14Of, lotOf } from "../gs1-input.ts";
import { startCapture, type CaptureContext } from "./capture.ts";
import { latestDispositions } from "./history-queries.ts";

/** Tracemark's JSON-LD namespace for its EPCIS extension fields. */
export const TRACEMARK_EPCIS_NAMESPACE = "https://ns.tracemark.dev/epcis/";
export const TRACEMARK_PREFIX = "tracemark";
export const RECALL_FIELDS = { reason: "recallReason", instructions: "recallInstructions", withdrawal: "recallWithdrawal" } as const;

const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

interface Target {
  subject: string;
  level: "product" | "lot";
}

/** The merchant's own product, or lot; anyone else's is a 404, exactly as one that does not exist. */
async function ownTarget(ctx: CaptureContext, merchantId: string, gtinParam: string, lotParam: string | null): Promise<Target> {
  const gtin = gtin14Of(gtinParam, "params.gtin");
  if (lotParam === null) {
    const row = await ctx.db.selectFrom("products").select("subject").where("gtin", "=", gtin).where("merchant_id", "=", merchantId).executeTakeFirst();
    if (!row) throw notFound("product", "params.gtin");
    return { subject: row.subject, level: "product" };
  }
  const lot = lotOf(lotParam, "params.lot");
  const row = await ctx.db.selectFrom("lots").select("subject").where("gtin", "=", gtin).where("lot", "=", lot).where("merchant_id", "=", merchantId).executeTakeFirst();
  if (!row) throw notFound("lot", "params.lot");
  return { subject: row.subject, level: "lot" };
}

function recallDocument(target: Target, eventTime: Date, disposition: "recalled" | "conformant", extensions: Record<string, string>) {
  const event: Record<string, unknown> = {
    type: "ObjectEvent",
    eventTime: eventTime.toISOString(),
    eventTimeZoneOffset: "+00:00",
    // The product or lot as an EPC class (EPCIS 2.0 §7.3.3.3): its Digital Link, the subject itself.
    quantityList: [{ epcClass: target.subject }],
    action: "OBSERVE",
    disposition,
  };
  for (const [name, value] of Object.entries(extensions)) event[`${TRACEMARK_PREFIX}:${name}`] = value;
  return {
    "@context": [EPCIS_CONTEXT, { [TRACEMARK_PREFIX]: TRACEMARK_EPCIS_NAMESPACE }],
    type: "EPCISDocument",
    schemaVersion: "2.0",
    creationDate: new Date().toISOString(),
    epcisBody: { eventList: [event] },
  };
}

async function captureOne(ctx: CaptureContext, principal: Principal, target: Target, document: ReturnType<typeof recallDocument>) {
  const job = await startCapture(ctx, principal, document);
  const [row] = await ctx.db.selectFrom("epcis_events").select("hash_id").where("capture_id", "=", job.id).execute();
  const event = document.epcisBody.eventList[0]!;
  return { eventID: row!.hash_id, captureID: job.id, subject: target.subject, event: { ...event, eventID: row!.hash_id } };
}

/** The open recall on the subject, if its newest disposition is `recalled`. */
async function openRecall(ctx: CaptureContext, subject: string) {
  const [latest] = await latestDispositions(ctx.db, [subject]);
  return latest?.disposition === "recalled" ? latest : null;
}

/** What a recall is on: a product (`lot` null) or one of its lots, as the request's path names them. */
export interface RecallPath {
  gtin: string;
  lot: string | null;
}

const pathField = (path: RecallPath) => (path.lot === null ? "params.gtin" : "params.lot");

export async function recall(ctx: CaptureContext, principal: Principal, path: RecallPath, body: RecallBodyT) {
  const target = await ownTarget(ctx, principal.merchantId!, path.gtin, path.lot);
  if (await openRecall(ctx, target.subject)) throw new AppError("CONFLICT", `${pathField(path)}: the ${target.level} is recalled already; withdraw that recall first`, { field: pathField(path) });
  const extensions: Record<string, string> = { [RECALL_FIELDS.reason]: body.reason };
  if (body.instructions !== undefined) extensions[RECALL_FIELDS.instructions] = body.instructions;
  return captureOne(ctx, principal, target, recallDocument(target, new Date(), "recalled", extensions));
}

export async function withdrawRecall(ctx: CaptureContext, principal: Principal, path: RecallPath, body: RecallWithdrawalBodyT) {
  const target = await ownTarget(ctx, principal.merchantId!, path.gtin, path.lot);
  const open = await openRecall(ctx, target.subject);
  if (!open) throw new AppError("CONFLICT", `${pathField(path)}: the ${target.level} is not recalled`, { field: pathField(path) });
  // After the recall, whatever the clocks say: the newest disposition decides.
  const eventTime = new Date(Math.max(Date.now(), new Date(open.event_time).getTime() + 1));
  return captureOne(ctx, principal, target, recallDocument(target, eventTime, "conformant", { [RECALL_FIELDS.withdrawal]: body.reason }));
}

/** A recall's reason and instructions from its event's payload, under whatever prefix names our namespace. */
export function recallDetails(payload: string): { reason: string | null; instructions: string | null } {
  const event = JSON.parse(payload) as Record<string, unknown>;
  const contexts = [event["@context"]].flat();
  const prefixes = new Set<string>();
  for (const c of contexts) {
    if (typeof c === "object" && c !== null) for (const [prefix, iri] of Object.entries(c)) if (iri === TRACEMARK_EPCIS_NAMESPACE) prefixes.add(prefix);
  }
  const field = (name: string) => {
    for (const prefix of prefixes) if (typeof event[`${prefix}:${name}`] === "string") return event[`${prefix}:${name}`] as string;
    return typeof event[`${TRACEMARK_EPCIS_NAMESPACE}${name}`] === "string" ? (event[`${TRACEMARK_EPCIS_NAMESPACE}${name}`] as string) : null;
  };
  return { reason: field(RECALL_FIELDS.reason), instructions: field(RECALL_FIELDS.instructions) };
}
