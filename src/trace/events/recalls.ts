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
import { AppError } from "../../errors.ts";
import type { RecallBodyT, RecallWithdrawalBodyT } from "../../schemas/epcis.ts";
import { startCapture, type CaptureContext } from "./capture.ts";
import { latestDispositions } from "./history-queries.ts";
import { tradeItemOf } from "./uri.ts";

/** Tracemark's JSON-LD namespace for its EPCIS extension fields. */
export const TRACEMARK_EPCIS_NAMESPACE = "https://ns.tracemark.dev/epcis/";
export const TRACEMARK_PREFIX = "tracemark";
export const RECALL_FIELDS = { reason: "recallReason", instructions: "recallInstructions", withdrawal: "recallWithdrawal" } as const;

const EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

interface Target {
  subject: string;
  level: "product" | "lot";
}

/** The merchant's own product or lot the URI names; anyone else's is a 404, as if it did not exist. */
async function ownTarget(ctx: CaptureContext, merchantId: string, uri: string): Promise<Target> {
  const named = tradeItemOf(uri, "body.uri");
  if (named.level === "item") throw new AppError("VALIDATION_FAILED", "body.uri names a serialised item: a recall is on a product (/01/{gtin}) or a lot (/01/{gtin}/10/{lot})", { field: "body.uri" });
  const row =
    named.level === "lot"
      ? await ctx.db.selectFrom("lots").select("subject").where("gtin", "=", named.gtin).where("lot", "=", named.lot!).where("merchant_id", "=", merchantId).executeTakeFirst()
      : await ctx.db.selectFrom("products").select("subject").where("gtin", "=", named.gtin).where("merchant_id", "=", merchantId).executeTakeFirst();
  if (!row) throw new AppError("NOT_FOUND", `${named.level} not found`, { field: "body.uri" });
  return { subject: row.subject, level: named.level };
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
  const { job } = await startCapture(ctx, principal, document);
  const [row] = await ctx.db.selectFrom("epcis_events").select("hash_id").where("capture_id", "=", job.id).execute();
  const event = document.epcisBody.eventList[0]!;
  return { eventID: row!.hash_id, captureID: job.id, subject: target.subject, event: { ...event, eventID: row!.hash_id } };
}

/** The open recall on the subject, if its newest disposition is `recalled`. */
async function openRecall(ctx: CaptureContext, subject: string) {
  const [latest] = await ctx.db.transaction().execute((tx) => latestDispositions(tx, [subject]));
  return latest?.disposition === "recalled" ? latest : null;
}

export async function recall(ctx: CaptureContext, principal: Principal, body: RecallBodyT) {
  const target = await ownTarget(ctx, principal.merchantId!, body.uri);
  if (await openRecall(ctx, target.subject)) throw new AppError("CONFLICT", `body.uri: the ${target.level} is recalled already; withdraw that recall first`, { field: "body.uri" });
  const extensions: Record<string, string> = { [RECALL_FIELDS.reason]: body.reason };
  if (body.instructions !== undefined) extensions[RECALL_FIELDS.instructions] = body.instructions;
  return captureOne(ctx, principal, target, recallDocument(target, new Date(), "recalled", extensions));
}

export async function withdrawRecall(ctx: CaptureContext, principal: Principal, body: RecallWithdrawalBodyT) {
  const target = await ownTarget(ctx, principal.merchantId!, body.uri);
  const open = await openRecall(ctx, target.subject);
  if (!open) throw new AppError("CONFLICT", `body.uri: the ${target.level} is not recalled`, { field: "body.uri" });
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
