// The case's timeline (issue 11): every change to a case is a record on its subject,
// urn:tracemark:case:{id}, chained by `prev` like any domain write (src/trace/domain-write.ts),
// in the transaction that changes the case row. The chain belongs to whoever opened the case (its
// owner owns the subject); each record's `submitter` names the party that acted, so a reader of the
// chain sees who did what, and a verifier sees that the shown timeline is complete up to its head.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import type { Principal } from "../auth/api-keys.ts";
import type { CaseParty } from "../db/cases.table.ts";
import { canonicalJson, sha256Hex, type Envelope, type JsonValue } from "../merkle/index.ts";
import { acceptedRow } from "../records/accepted-row.ts";
import { insertRecords } from "../records/repository.ts";
import { ownerOf } from "../records/submitter.ts";
import { lockSubject, type Tx, type WrittenRecord } from "../trace/domain-write.ts";

export const CASE_KINDS = {
  opened: "case.opened",
  mediatorAssigned: "case.mediator-assigned",
  evidenceAdded: "case.evidence-added",
  evidenceWithdrawn: "case.evidence-withdrawn",
  statement: "case.statement",
  decision: "case.decision",
} as const;

export const caseSubject = (id: string) => `urn:tracemark:case:${id}`;

/** Who acted, as the envelope's `submitter` says it: the party and the key (never the case token's secret). */
export function actorOf(party: CaseParty, principal: Principal): string {
  if (party === "merchant") return `merchant:${principal.merchantId}`;
  return `${party}:${principal.keyId}`;
}

/** The opener's key and merchant: the owner of the case's chain. */
export interface ChainOwner {
  keyId: string;
  merchantId: string | null;
}

/**
 * Appends one record to the case's chain in `tx`: locks the subject, links `prev` to its head,
 * and stores the payload as the canonical bytes that were hashed.
 */
export async function appendTimeline(tx: Tx, subject: string, owner: ChainOwner, actor: string, kind: string, payload: JsonValue): Promise<WrittenRecord> {
  const head = await lockSubject(tx, subject);
  const text = canonicalJson(payload);
  const envelope: Envelope = {
    v: 1,
    kind,
    subject,
    contentHash: sha256Hex(text),
    mediaType: "application/json",
    submitter: actor,
    submittedAt: new Date().toISOString(),
    prev: head?.headRecordHash ?? null,
  };
  const row = acceptedRow({ kind, subject, text: canonicalJson(envelope) }, randomBytes(32), owner);
  const principal: Principal = { keyId: owner.keyId, merchantId: owner.merchantId, role: owner.merchantId ? "merchant" : "admin" };
  const foreign = await insertRecords(tx, ownerOf(principal), [row]);
  if (foreign.length > 0) throw new Error(`the case subject ${subject} is held by someone other than the case's opener`);
  await sql`insert into record_payloads (record_id, payload) values (${row.id}::uuid, ${text})`.execute(tx);
  return { id: row.id, envelope, recordHash: row.record_hash, salt: row.salt };
}
