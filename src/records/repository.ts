// Plain functions over the records, subjects and idempotency tables; `db` may be a transaction.
import { sql, type ExpressionBuilder, type Kysely, type Transaction } from "kysely";
import type { Database } from "../db/database.ts";
import { PREPARED } from "../db/prepared.ts";
import type { NewRecordRow, RecordRow } from "../db/records.table.ts";
import { proofsOf, splitBatch, withBatchSql, type BatchState, type RecordWithBatchRow, type SealedAt } from "./proofs.ts";
import type { Owner, ReadScope } from "./submitter.ts";

type Executor = Kysely<Database> | Transaction<Database>;

/** A record with its batch and inclusion proof once it is sealed (src/records/proofs.ts). */
export type RecordWithBatch = RecordRow & { batch: BatchState | null; sealedAt: SealedAt | null };

/** A record as notarize() creates it: accepted, in no batch yet. */
export type NewAcceptedRecord = Pick<
  NewRecordRow,
  "id" | "kind" | "subject" | "envelope" | "record_hash" | "salt" | "leaf_hash" | "submitter_key_id" | "merchant_id"
>;

/** A record to insert, with the owner its subject must have (or get, when it is new). */
export interface OwnedRecord {
  row: NewAcceptedRecord;
  owner: Owner;
}

/**
 * Inserts the records of one request (every record owned by `owner`) and, in the same statement,
 * claims each new subject for `owner` and moves the head of each subject `owner` already holds.
 * Returns the subjects that belong to someone else; the caller must then roll back, so that the
 * request is stored whole or not at all.
 */
export async function insertRecords(tx: Transaction<Database>, owner: Owner, rows: NewAcceptedRecord[]): Promise<string[]> {
  return insertOwnedRecords(tx, rows.map((row) => ({ row, owner })));
}

/**
 * Inserts records that may come from several requests and owners (a group commit), and in the
 * same statement claims each new subject for its owner and moves the head of each subject its
 * owner already holds. Each subject must appear under one owner only (the caller sees to it).
 * Returns the subjects that belong to someone else: their records are not inserted, the others
 * are. One statement keeps the write path at the round trips it had before subjects had owners;
 * and, run outside a transaction, it is one by itself (atomic, one COMMIT).
 *
 * The subjects' primary key makes two tenants racing on a new subject queue up: the second sees
 * the first's row and is refused. The rows stay locked until the transaction ends, which
 * serialises the writes to one subject; claiming them in sorted order keeps two transactions that
 * share subjects from locking them in opposite orders (a deadlock).
 *
 * Each column goes in as one array parameter and unnest turns the arrays back into rows, in array
 * order (so `seq`, and later the leaf order, follow the order of `records`). A multi-row VALUES
 * would bind 9 parameters a row (9,000 for a full batch request) that Kysely compiles,
 * node-postgres serialises and PostgreSQL parses one by one. On PostgreSQL 15 this costs about a
 * quarter less backend CPU per row, and less work in Node (`npm run bench`).
 */
export async function insertOwnedRecords(tx: Executor, records: OwnedRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const bySubject = new Map<string, { owner: Owner; head: string }>();
  for (const { row, owner } of records) bySubject.set(row.subject, { owner, head: row.record_hash });
  const subjects = [...bySubject.keys()].sort();
  const claims = subjects.map((subject) => bySubject.get(subject)!);
  const column = (name: keyof NewAcceptedRecord) => records.map((r) => r.row[name] ?? null);
  const claimed = await sql<{ subject: string }>`
    with claimed as (
      insert into subjects as s (subject, owner_merchant_id, owner_key_id, head_record_hash)
      select subject, owner_merchant_id, owner_key_id, head
        from unnest(${subjects}::text[], ${claims.map((c) => c.owner.merchantId)}::uuid[], ${claims.map((c) => c.owner.keyId)}::text[],
                    ${claims.map((c) => c.head)}::text[])
             with ordinality as u(subject, owner_merchant_id, owner_key_id, head, n)
       order by n
      on conflict (subject) do update set head_record_hash = excluded.head_record_hash
       where s.owner_merchant_id is not distinct from excluded.owner_merchant_id
         and s.owner_key_id is not distinct from excluded.owner_key_id
      returning subject
    ), inserted as (
      insert into records (id, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id, merchant_id)
      select id, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id, merchant_id
        from unnest(${column("id")}::uuid[], ${column("kind")}::text[], ${column("subject")}::text[], ${column("envelope")}::text[],
                    ${column("record_hash")}::text[], ${column("salt")}::text[], ${column("leaf_hash")}::text[],
                    ${column("submitter_key_id")}::text[], ${column("merchant_id")}::uuid[])
             with ordinality as u(id, kind, subject, envelope, record_hash, salt, leaf_hash, submitter_key_id, merchant_id, n)
       where u.subject in (select c.subject from claimed as c)
       order by n
    )
    select subject from claimed`.execute(tx);
  const held = new Set(claimed.rows.map((r) => r.subject));
  return subjects.filter((subject) => !held.has(subject));
}

/**
 * The records with these ids that `scope` may read, in the order of `ids`; the rest are left out as
 * if they did not exist. One statement finds each record and its batch (proofs.ts withBatchSql);
 * the audit path then comes from the batch's tree, which is in memory for recent batches.
 */
export async function findRecords(db: Executor, ids: string[], scope: ReadScope = "all"): Promise<RecordWithBatch[]> {
  if (ids.length === 0) return [];
  const owned =
    scope === "all"
      ? sql``
      : scope.merchantId !== null
        ? sql`and r.merchant_id = ${scope.merchantId}::uuid`
        : sql`and r.merchant_id is null and r.submitter_key_id = ${scope.keyId}`;
  // One id (a receipt, a status) is `= $1`: prepared, PostgreSQL settles on the generic plan (an
  // index probe) and stops planning it, which costs five times the execution; `any` of an array
  // of unknown length it keeps planning afresh.
  const which = ids.length === 1 ? sql`r.id = ${ids[0]}::uuid` : sql`r.id = any(${ids}::uuid[])`;
  const { rows } = await sql<RecordWithBatchRow>`${PREPARED}${withBatchSql} where ${which} ${owned}`.execute(db);
  const withBatch = rows.map(splitBatch);
  const sealed = await proofsOf(db, withBatch);
  const byId = new Map(withBatch.map(({ row, batch }) => [row.id, { ...row, batch, sealedAt: sealed.get(row.id) ?? null }]));
  return ids.map((id) => byId.get(id)).filter((r): r is RecordWithBatch => r !== undefined);
}

/** A merchant's records, or the records an admin key submitted outside any merchant. */
function ownedBy(eb: ExpressionBuilder<Database, "records">, owner: Owner) {
  return owner.merchantId !== null
    ? eb("merchant_id", "=", owner.merchantId)
    : eb.and([eb("merchant_id", "is", null), eb("submitter_key_id", "=", owner.keyId)]);
}

/**
 * Which of the given (recordHash, subject) links name a record of `owner` of that subject, as
 * "recordHash subject" strings. Only the owner's own records are looked at, so the answer for
 * another tenant's hash is the answer for a hash nobody notarized (issue 6: prev errors must not
 * reveal other tenants' hashes). One lookup through the record_hash index.
 */
export async function ownLinks(db: Executor, owner: Owner, links: Array<{ recordHash: string; subject: string }>): Promise<Set<string>> {
  if (links.length === 0) return new Set();
  const rows = await db
    .selectFrom("records")
    .select(["record_hash", "subject"])
    .where("record_hash", "in", [...new Set(links.map((l) => l.recordHash))])
    .where((eb) => ownedBy(eb, owner))
    .execute();
  return new Set(rows.map((r) => linkKey(r.record_hash, r.subject)));
}

export const linkKey = (recordHash: string, subject: string) => `${recordHash} ${subject}`;

export async function findIdempotencyKey(db: Executor, keyId: string, idempotencyKey: string) {
  return db
    .selectFrom("idempotency_keys")
    .selectAll()
    .where("key_id", "=", keyId)
    .where("idempotency_key", "=", idempotencyKey)
    .executeTakeFirst();
}

export interface IdempotencyClaim {
  key_id: string;
  idempotency_key: string;
  request_hash: string;
  record_ids: string;
}

/** "keyId idempotencyKey" as one string, for sets of claims. */
export const claimKey = (c: Pick<IdempotencyClaim, "key_id" | "idempotency_key">) => JSON.stringify([c.key_id, c.idempotency_key]);

/**
 * Claims the keys of several requests at once; returns the claims won (as claimKey strings). A
 * key another transaction holds uncommitted makes this wait for its outcome, as for one claim;
 * claiming in sorted order keeps two such waits from crossing (a deadlock).
 */
export async function claimIdempotencyKeys(db: Executor, claims: IdempotencyClaim[]): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const sorted = [...claims].sort((a, b) => (a.key_id === b.key_id ? compare(a.idempotency_key, b.idempotency_key) : compare(a.key_id, b.key_id)));
  const won = await db
    .insertInto("idempotency_keys")
    .values(sorted)
    .onConflict((oc) => oc.columns(["key_id", "idempotency_key"]).doNothing())
    .returning(["key_id", "idempotency_key"])
    .execute();
  return new Set(won.map(claimKey));
}

/** Gives back claims whose requests were refused after all, in the transaction that made them. */
export async function releaseIdempotencyKeys(db: Executor, claims: Array<Pick<IdempotencyClaim, "key_id" | "idempotency_key">>): Promise<void> {
  if (claims.length === 0) return;
  await db
    .deleteFrom("idempotency_keys")
    .where((eb) => eb.or(claims.map((c) => eb.and([eb("key_id", "=", c.key_id), eb("idempotency_key", "=", c.idempotency_key)]))))
    .execute();
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Claims the key for this request; false when another request holds it already. */
export async function claimIdempotencyKey(
  db: Executor,
  row: { key_id: string; idempotency_key: string; request_hash: string; record_ids: string },
): Promise<boolean> {
  const inserted = await db
    .insertInto("idempotency_keys")
    .values(row)
    .onConflict((oc) => oc.columns(["key_id", "idempotency_key"]).doNothing())
    .returning("key_id")
    .executeTakeFirst();
  return inserted !== undefined;
}
