// Dispute cases (issue 11): opening, the mediator's assignment and the decision. Each change is the
// case row and a record on the case's chain, in one transaction (src/cases/timeline.ts).
import { randomUUID } from "node:crypto";
import { issueApiKey, type Principal } from "../auth/api-keys.ts";
import type { CaseParty, CaseRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { findMerchant } from "../merchants/merchants.ts";
import { partyOf, visibleCase } from "./access.ts";
import { actorOf, appendTimeline, CASE_KINDS, caseSubject, type ChainOwner } from "./timeline.ts";

export const OUTCOMES = ["refund", "partial-refund", "return-and-refund", "replace", "rejected"] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface OpenCaseInput {
  merchantId?: string | undefined;
  orderRef: string;
  summary: string;
  deliveredAt?: string | undefined;
}

const ownerOfCase = (row: Pick<CaseRow, "opener_key_id">, openerMerchantId: string | null): ChainOwner => ({ keyId: row.opener_key_id, merchantId: openerMerchantId });

/** The chain's owner: the opener's merchant when a merchant opened the case, else the opener's key alone. */
export function chainOwner(row: CaseRow): ChainOwner {
  return ownerOfCase(row, row.opened_by === "merchant" ? row.merchant_id : null);
}

async function merchantOf(db: Db, principal: Principal | null, input: OpenCaseInput): Promise<string> {
  if (principal?.role === "merchant") {
    if (input.merchantId !== undefined && input.merchantId !== principal.merchantId) {
      throw new AppError("VALIDATION_FAILED", "body.merchantId: a merchant opens cases about its own orders only; leave it out", { field: "body.merchantId" });
    }
    return principal.merchantId!;
  }
  if (input.merchantId === undefined) throw new AppError("VALIDATION_FAILED", "body.merchantId is required: the merchant the order was placed with", { field: "body.merchantId" });
  if (!(await findMerchant(db, input.merchantId))) throw new AppError("UNPROCESSABLE", "body.merchantId names no merchant of this service", { field: "body.merchantId" });
  return input.merchantId;
}

function deliveredAtOf(input: OpenCaseInput, now: Date): Date | null {
  if (input.deliveredAt === undefined) return null;
  const at = new Date(input.deliveredAt);
  if (Number.isNaN(at.getTime())) throw new AppError("VALIDATION_FAILED", "body.deliveredAt is not a date-time", { field: "body.deliveredAt" });
  if (at > now) throw new AppError("VALIDATION_FAILED", "body.deliveredAt is in the future", { field: "body.deliveredAt" });
  return at;
}

/**
 * Opens a case. `principal` null: a consumer without an account; a case token (an API key with the
 * role `consumer`, bound to this case only) is issued and returned once.
 */
export async function openCase(db: Db, principal: Principal | null, input: OpenCaseInput): Promise<{ row: CaseRow; token: string | null }> {
  const merchantId = await merchantOf(db, principal, input);
  const now = new Date();
  const deliveredAt = deliveredAtOf(input, now);
  const id = randomUUID();
  return db.transaction().execute(async (tx) => {
    // In the case's transaction: a case that is not stored leaves no token behind.
    const consumerKey = principal === null ? await issueApiKey(tx, { role: "consumer", label: `case ${id}` }) : null;
    const opener: Principal = principal ?? consumerKey!;
    const party: CaseParty = partyOf(opener);
    const inserted = await tx
      .insertInto("cases")
      .values({
        id,
        subject: caseSubject(id),
        merchant_id: merchantId,
        order_ref: input.orderRef,
        summary: input.summary,
        opened_by: party,
        opener_key_id: opener.keyId,
        consumer_key_id: consumerKey?.keyId ?? null,
        mediator_key_id: opener.role === "mediator" ? opener.keyId : null,
        delivered_at: deliveredAt,
        opened_at: now,
        state: "open",
        outcome: null,
        reasons: null,
        decided_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendTimeline(tx, inserted.subject, chainOwner(inserted), actorOf(party, opener), CASE_KINDS.opened, {
      case: id,
      merchant: merchantId,
      orderRef: input.orderRef,
      summary: input.summary,
      openedBy: party,
      deliveredAt: deliveredAt?.toISOString() ?? null,
    });
    return { row: inserted, token: consumerKey?.token ?? null };
  });
}

/** The operator assigns (or reassigns) the case's mediator: an active key with the mediator role. */
export async function assignMediator(db: Db, principal: Principal, caseId: string, mediatorKeyId: string): Promise<CaseRow> {
  return db.transaction().execute(async (tx) => {
    const row = await visibleCase(tx, principal, caseId, { lock: true });
    const key = await tx.selectFrom("api_keys").select(["role", "revoked_at"]).where("id", "=", mediatorKeyId).executeTakeFirst();
    if (!key || key.role !== "mediator" || key.revoked_at !== null) {
      throw new AppError("UNPROCESSABLE", "body.keyId is not an active key with the mediator role", { field: "body.keyId" });
    }
    const updated = await tx.updateTable("cases").set({ mediator_key_id: mediatorKeyId }).where("id", "=", caseId).returningAll().executeTakeFirstOrThrow();
    await appendTimeline(tx, row.subject, chainOwner(row), actorOf("operator", principal), CASE_KINDS.mediatorAssigned, { case: caseId, mediator: `mediator:${mediatorKeyId}` });
    return updated;
  });
}

/** The assigned mediator (or the operator) decides, once, with reasons. */
export async function decideCase(db: Db, principal: Principal, caseId: string, input: { outcome: Outcome; reasons: string }): Promise<CaseRow> {
  if (principal.role !== "mediator" && principal.role !== "admin") {
    throw new AppError("FORBIDDEN", "only the case's mediator or the operator records a decision");
  }
  return db.transaction().execute(async (tx) => {
    const row = await visibleCase(tx, principal, caseId, { lock: true });
    if (row.state !== "open") throw new AppError("CONFLICT", "params.caseId: the case is decided already", { field: "params.caseId" });
    const decidedAt = new Date();
    const updated = await tx
      .updateTable("cases")
      .set({ state: "decided", outcome: input.outcome, reasons: input.reasons, decided_at: decidedAt })
      .where("id", "=", caseId)
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendTimeline(tx, row.subject, chainOwner(row), actorOf(partyOf(principal), principal), CASE_KINDS.decision, {
      case: caseId,
      outcome: input.outcome,
      reasons: input.reasons,
    });
    return updated;
  });
}

/** The cases a principal sees, newest first. */
export async function listCases(db: Db, principal: Principal, limit: number): Promise<CaseRow[]> {
  let q = db.selectFrom("cases").selectAll().orderBy("opened_at", "desc").orderBy("id").limit(limit);
  if (principal.role === "merchant") q = q.where("merchant_id", "=", principal.merchantId!);
  else if (principal.role === "mediator") q = q.where((eb) => eb.or([eb("mediator_key_id", "=", principal.keyId), eb("opener_key_id", "=", principal.keyId)]));
  else if (principal.role === "consumer") q = q.where("consumer_key_id", "=", principal.keyId);
  return q.execute();
}
