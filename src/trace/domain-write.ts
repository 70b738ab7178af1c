// The domain write path (DESIGN.md "Domain model"): every domain write is a domain row AND a
// notarized public record, committed in one transaction. The caller writes its row in `tx`; this
// module adds the records on the row's subject, with `prev` set by the server from the subject's
// head, and keeps the payloads as the exact canonical bytes that were hashed.
//
// Writes to one subject are serialised by a row lock on its `subjects` row (lockSubject, SELECT …
// FOR UPDATE), held until the transaction ends, so a subject's records form one linear chain: two
// concurrent edits cannot both read the same head. The records go in through insertRecords, the
// unnest insert notarize() uses, which also moves the subject's head in the same statement.
import { randomBytes, randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import type { Principal } from "../auth/api-keys.ts";
import type { Database } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { canonicalJson, leafHashBytes, sha256Hex, type Envelope, type JsonValue } from "../merkle/index.ts";
import { insertRecords, type NewAcceptedRecord } from "../records/repository.ts";
import { ownerOf, submitterOf, type Owner } from "../records/submitter.ts";
import { canonicalJsonOf } from "./canonical-flat.ts";

const isObject = (value: JsonValue): value is { [key: string]: JsonValue } => typeof value === "object" && value !== null && !Array.isArray(value);

export type Tx = Transaction<Database>;

/** Record kinds of the traceability domain; a record's kind says which payload schema it has. */
export const TRACE_KINDS = { product: "trace.product", lot: "trace.lot", item: "trace.item" } as const;

export interface DomainRecordInput {
  kind: string;
  subject: string;
  /** The JSON payload: hashed as RFC 8785, stored as those bytes, shown to anyone. */
  payload: JsonValue;
  /** recordHash of the subject's head, read under lockSubject; null for a subject's first record. */
  prev: string | null;
}

/** A record just committed as accepted: what its first receipt holds. */
export interface WrittenRecord {
  id: string;
  envelope: Envelope;
  recordHash: string;
  salt: string;
}

export interface SubjectHead {
  owner: Owner;
  headRecordHash: string;
}

/**
 * Locks the subject's row until `tx` ends and returns its owner and head, or null when nobody
 * has written to the subject yet (then the subjects primary key serialises the first writers).
 */
export async function lockSubject(tx: Tx, subject: string): Promise<SubjectHead | null> {
  const row = await tx
    .selectFrom("subjects")
    .select(["owner_merchant_id", "owner_key_id", "head_record_hash"])
    .where("subject", "=", subject)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  const owner: Owner = row.owner_merchant_id !== null ? { merchantId: row.owner_merchant_id, keyId: null } : { merchantId: null, keyId: row.owner_key_id as string };
  return { owner, headRecordHash: row.head_record_hash };
}

/**
 * The `prev` for the principal's next record on a subject it has locked: the head, or null for a
 * new subject. A subject that someone else holds (a generic record written on it before the
 * product was registered) is a 409: the domain row cannot be proven on a chain it does not own.
 */
export function prevFor(head: SubjectHead | null, principal: Principal, subject: string, field: string): string | null {
  if (head === null) return null;
  const owner = ownerOf(principal);
  if (head.owner.merchantId !== owner.merchantId || head.owner.keyId !== owner.keyId) {
    throw new AppError("CONFLICT", `${field}: the subject ${subject} already holds records of another submitter`, { field });
  }
  return head.headRecordHash;
}

/**
 * Builds, hashes and inserts the records (and their payloads) in `tx`. Records on one subject
 * must come in chain order with their `prev` filled in; the subjects' heads end at the last one.
 * Returns the subjects that belong to someone else: then nothing was inserted and the caller must
 * roll back.
 */
export async function writeDomainRecords(tx: Tx, principal: Principal, inputs: readonly DomainRecordInput[]): Promise<{ written: WrittenRecord[]; foreignSubjects: string[] }> {
  if (inputs.length === 0) return { written: [], foreignSubjects: [] };
  const submittedAt = new Date().toISOString();
  const submitter = submitterOf(principal);
  const salts = randomBytes(32 * inputs.length);
  const rows: NewAcceptedRecord[] = [];
  const payloads: string[] = [];
  const written: WrittenRecord[] = [];
  inputs.forEach((input, i) => {
    const payload = isObject(input.payload) ? canonicalJsonOf(input.payload) : canonicalJson(input.payload);
    const envelope: Envelope = {
      v: 1,
      kind: input.kind,
      subject: input.subject,
      // DESIGN.md: for a JSON payload, SHA-256 of its RFC 8785 canonical form.
      contentHash: sha256Hex(payload),
      mediaType: "application/json",
      submitter,
      submittedAt,
      prev: input.prev,
    };
    const envelopeText = canonicalJsonOf(envelope);
    const recordHash = sha256Hex(envelopeText);
    const salt = salts.subarray(32 * i, 32 * i + 32);
    const id = randomUUID();
    rows.push({
      id,
      kind: input.kind,
      subject: input.subject,
      envelope: envelopeText,
      record_hash: recordHash,
      salt: salt.toString("hex"),
      // RFC 9162 leaf: SHA-256(0x00 || salt || recordHash), DESIGN.md "Records and hashing".
      leaf_hash: leafHashBytes(salt, Buffer.from(recordHash, "hex")).toString("hex"),
      submitter_key_id: principal.keyId,
      merchant_id: principal.merchantId,
    });
    payloads.push(payload);
    written.push({ id, envelope, recordHash, salt: salt.toString("hex") });
  });

  const foreignSubjects = await insertRecords(tx, ownerOf(principal), rows);
  if (foreignSubjects.length > 0) return { written: [], foreignSubjects };
  await sql`
    insert into record_payloads (record_id, payload)
    select * from unnest(${rows.map((r) => r.id)}::uuid[], ${payloads}::text[])`.execute(tx);
  return { written, foreignSubjects };
}

/** writeDomainRecords for one record on a subject that must be the principal's: a foreign one is a 409 naming `field`. */
export async function writeDomainRecord(tx: Tx, principal: Principal, input: DomainRecordInput, field: string): Promise<WrittenRecord> {
  const { written, foreignSubjects } = await writeDomainRecords(tx, principal, [input]);
  if (foreignSubjects.length > 0 || !written[0]) {
    throw new AppError("CONFLICT", `${field}: the subject ${input.subject} already holds records of another submitter`, { field });
  }
  return written[0];
}
