import type { Generated, Insertable, Selectable } from "kysely";

export interface IdempotencyKeysTable {
  key_id: string;
  idempotency_key: string;
  /** SHA-256 of the canonical request body: the same key with another body is a conflict. */
  request_hash: string;
  /** JSON array of the record ids the first request created, in request order. */
  record_ids: string;
  created_at: Generated<Date>;
}
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type NewIdempotencyKeyRow = Insertable<IdempotencyKeysTable>;
