import type { ColumnType, Insertable, Selectable } from "kysely";

/** `consumer`: a case token, bound to one case (cases.consumer_key_id); only the case routes admit it. */
export type Role = "admin" | "merchant" | "mediator" | "consumer";

export interface ApiKeysTable {
  /** Public key id: the part of the token before the secret, safe to log. */
  id: string;
  /** SHA-256 of the secret part, hex. */
  secret_hash: string;
  role: Role;
  merchant_id: string | null;
  label: ColumnType<string, string | undefined, string>;
  created_at: ColumnType<Date, never, never>;
  revoked_at: ColumnType<Date | null, never, Date>;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type NewApiKeyRow = Insertable<ApiKeysTable>;
