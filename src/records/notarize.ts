// Turns submitted records into accepted rows: validate, build the envelope (DESIGN.md spec v1),
// hash, salt, and insert them in one transaction together with the idempotency key and the
// subjects' owner and head, so a 202 is only ever answered for records that are durable, on
// subjects that belong to the submitter. A batch request has a transaction of its own; a
// single-record request shares one with the requests that arrive with it (group-commit.ts).
import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { canonicalJson, contentHashOfJson, isJsonMediaType, leafHashBytes, MAX_JSON_DEPTH, nonJsonAt, sha256Hex, type Envelope, type JsonValue } from "../merkle/index.ts";
import type { GroupCommitter } from "./group-commit.ts";
import { claimIdempotencyKey, findIdempotencyKey, insertRecords, linkKey, ownLinks, type NewAcceptedRecord } from "./repository.ts";
import { takeSalts } from "./salts.ts";
import { ownerOf, submitterOf, type Owner } from "./submitter.ts";

export interface RecordInput {
  kind: string;
  subject: string;
  prev?: string | null;
  payload?: unknown;
  contentHash?: string;
  mediaType?: string;
}

export interface NotarizeResult {
  ids: string[];
  /** True when an earlier request with the same Idempotency-Key created these records. */
  replayed: boolean;
  /**
   * The records this call created, in request order, so the caller can answer without reading
   * them back; null on a replay (they were created earlier: read them by id).
   */
  created: CreatedRecord[] | null;
}

/** A record just committed as accepted: what its first receipt holds. */
export interface CreatedRecord {
  id: string;
  envelope: Envelope;
  recordHash: string;
  salt: string;
}

/** `field(i, "kind")` names a field of the i-th record in the request body. */
export type FieldNamer = (index: number, name: string) => string;

/** Notarizes the records of one request in a transaction of its own: all of them, or none. */
export async function notarize(
  db: Db,
  principal: Principal,
  inputs: RecordInput[],
  options: NotarizeOptions,
): Promise<NotarizeResult> {
  const prepared = await prepare(db, principal, inputs, options);
  if (!("records" in prepared)) return prepared;
  const { owner, records, requestHash } = prepared;
  const rows = records.map((r) => r.row);

  const claimed = await db.transaction().execute(async (tx) => {
    if (options.idempotencyKey) {
      const ids = JSON.stringify(rows.map((r) => r.id));
      const won = await claimIdempotencyKey(tx, { key_id: principal.keyId, idempotency_key: options.idempotencyKey, request_hash: requestHash, record_ids: ids });
      if (!won) return false;
    }
    const foreign = await insertRecords(tx, owner, rows);
    if (foreign.length > 0) throw foreignSubject(inputs, new Set(foreign), options.field);
    return true;
  });
  if (!claimed) return replayOfConcurrent(db, principal, options.idempotencyKey as string, requestHash);
  return createdResult(records);
}

/**
 * Notarizes one record in a transaction it shares with other requests (group-commit.ts): the
 * answer is the same as notarize() would give, and it comes once the shared transaction committed.
 */
export async function notarizeInGroup(
  group: GroupCommitter,
  db: Db,
  principal: Principal,
  input: RecordInput,
  options: NotarizeOptions,
): Promise<NotarizeResult> {
  const prepared = await prepare(db, principal, [input], options);
  if (!("records" in prepared)) return prepared;
  const { owner, records, requestHash } = prepared;
  const { row } = records[0]!;
  const idempotency = options.idempotencyKey
    ? { key_id: principal.keyId, idempotency_key: options.idempotencyKey, request_hash: requestHash, record_ids: JSON.stringify([row.id]) }
    : null;
  const outcome = await group.submit({ row, owner, idempotency });
  if (outcome === "foreign-subject") throw foreignSubject([input], new Set([input.subject]), options.field);
  if (outcome === "idempotency-key-taken") return replayOfConcurrent(db, principal, options.idempotencyKey as string, requestHash);
  return createdResult(records);
}

export interface NotarizeOptions {
  field: FieldNamer;
  idempotencyKey?: string;
  requestBody?: unknown;
}

interface Prepared {
  owner: Owner;
  records: Array<{ row: NewAcceptedRecord; envelope: Envelope }>;
  requestHash: string;
}

/**
 * Everything that can be decided before the transaction: the input is hashable, a keyed request
 * that was answered before is a replay, `prev` links are the submitter's own; then the envelopes,
 * hashes and salts of the records to insert.
 */
async function prepare(db: Db, principal: Principal, inputs: RecordInput[], options: NotarizeOptions): Promise<Prepared | NotarizeResult> {
  inputs.forEach((input, i) => assertPlainJson(input, i, options.field));
  const requestHash = options.idempotencyKey ? sha256Hex(canonicalJson(options.requestBody ?? inputs)) : "";
  if (options.idempotencyKey) {
    const earlier = await replayOf(db, principal.keyId, options.idempotencyKey, requestHash);
    if (earlier) return earlier;
  }
  const owner = ownerOf(principal);
  await checkPrevLinks(db, owner, inputs, options.field);

  const submittedAt = new Date().toISOString();
  const submitter = submitterOf(principal);
  const salts = takeSalts(inputs.length);
  const records = inputs.map((input, i) => toRecord(input, i, { submittedAt, submitter, principal, salt: salts.subarray(32 * i, 32 * i + 32), field: options.field }));
  return { owner, records, requestHash };
}

function createdResult(records: Prepared["records"]): NotarizeResult {
  return {
    ids: records.map((r) => r.row.id),
    replayed: false,
    created: records.map(({ row, envelope }) => ({ id: row.id, envelope, recordHash: row.record_hash, salt: row.salt })),
  };
}

/** A concurrent request with the same key committed first: answer as a replay of it. */
async function replayOfConcurrent(db: Db, principal: Principal, idempotencyKey: string, requestHash: string): Promise<NotarizeResult> {
  const earlier = await replayOf(db, principal.keyId, idempotencyKey, requestHash);
  if (earlier) return earlier;
  throw new AppError("CONFLICT", "a concurrent request with the same Idempotency-Key did not complete; retry");
}

async function replayOf(db: Db, keyId: string, idempotencyKey: string, requestHash: string): Promise<NotarizeResult | null> {
  const row = await findIdempotencyKey(db, keyId, idempotencyKey);
  if (!row) return null;
  if (row.request_hash !== requestHash) {
    throw new AppError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request body", { field: "headers.idempotency-key" });
  }
  return { ids: JSON.parse(row.record_ids) as string[], replayed: true, created: null };
}

/**
 * JSON.parse can still hand over what RFC 8785 cannot hash (a lone surrogate, nesting deeper than
 * the canonicaliser allows): that is the client's input, so a 400 naming the field, not a 500.
 */
function assertPlainJson(input: RecordInput, i: number, field: FieldNamer): void {
  const at = nonJsonAt(input);
  if (at === undefined) return;
  const name = at.split("/")[1] ?? "payload";
  throw new AppError("VALIDATION_FAILED", `${field(i, name)} cannot be hashed as RFC 8785 JSON (at ${at}: a lone surrogate or nesting deeper than ${MAX_JSON_DEPTH})`, { field: field(i, name) });
}

/**
 * Every subject of the request must be new, or the submitter's own: nobody else appends to a
 * subject (DESIGN.md "Subjects and chains"). The error names the first record that was refused.
 */
function foreignSubject(inputs: RecordInput[], foreign: Set<string>, field: FieldNamer): AppError {
  const i = Math.max(0, inputs.findIndex((input) => foreign.has(input.subject)));
  return new AppError("FORBIDDEN", `${field(i, "subject")} belongs to another submitter: only the submitter that first wrote to a subject may append to it`, { field: field(i, "subject") });
}

/**
 * `prev` chains one subject's timeline, so it must name one of the submitter's own records of
 * that subject. One answer for every way it can fail (no such hash, another subject, another
 * tenant's record): which of these it was would tell a tenant about someone else's hashes.
 * Records never change, so this needs no lock and runs before the transaction.
 */
async function checkPrevLinks(db: Db, owner: Owner, inputs: RecordInput[], field: FieldNamer): Promise<void> {
  const links = inputs.flatMap((r) => (typeof r.prev === "string" ? [{ recordHash: r.prev, subject: r.subject }] : []));
  if (links.length === 0) return;
  const own = await ownLinks(db, owner, links);
  const i = inputs.findIndex((r) => typeof r.prev === "string" && !own.has(linkKey(r.prev, r.subject)));
  if (i >= 0) throw new AppError("UNPROCESSABLE", `${field(i, "prev")} is not one of your records of this subject`, { field: field(i, "prev") });
}

interface RowContext {
  submittedAt: string;
  submitter: string;
  principal: Principal;
  salt: Buffer;
  field: FieldNamer;
}

function toRecord(input: RecordInput, i: number, ctx: RowContext): { row: NewAcceptedRecord; envelope: Envelope } {
  const { contentHash, mediaType } = contentOf(input, i, ctx.field);
  const envelope: Envelope = {
    v: 1,
    kind: input.kind,
    subject: input.subject,
    contentHash,
    mediaType,
    submitter: ctx.submitter,
    submittedAt: ctx.submittedAt,
    prev: input.prev ?? null,
  };
  const text = canonicalJson(envelope);
  const recordHash = sha256Hex(text);
  const row = {
    id: randomUUID(),
    kind: input.kind,
    subject: input.subject,
    envelope: text,
    record_hash: recordHash,
    salt: ctx.salt.toString("hex"),
    leaf_hash: leafHashBytes(ctx.salt, Buffer.from(recordHash, "hex")).toString("hex"),
    submitter_key_id: ctx.principal.keyId,
    merchant_id: ctx.principal.merchantId,
  };
  return { row, envelope };
}

/** Exactly one of a JSON payload (hashed canonically) or a bare SHA-256 content hash. */
function contentOf(input: RecordInput, i: number, field: FieldNamer): { contentHash: string; mediaType: string } {
  const hasPayload = input.payload !== undefined;
  if (hasPayload === (input.contentHash !== undefined)) {
    throw new AppError("VALIDATION_FAILED", `${field(i, "payload")} or ${field(i, "contentHash")}: give exactly one`, { field: field(i, "payload") });
  }
  if (!hasPayload) return { contentHash: input.contentHash as string, mediaType: input.mediaType ?? "application/octet-stream" };
  const mediaType = input.mediaType ?? "application/json";
  if (!isJsonMediaType(mediaType)) {
    throw new AppError("VALIDATION_FAILED", `${field(i, "mediaType")} must be a JSON media type for a JSON payload`, { field: field(i, "mediaType") });
  }
  return { contentHash: contentHashOfJson(input.payload as JsonValue), mediaType };
}
