import type { ColumnType, Generated, Selectable } from "kysely";

/** Scans of one item subject by one coarse device (migration 009_scans). */
export interface ScanDevicesTable {
  subject: string;
  /** HMAC of the client's network and user agent (src/scans/device.ts), 32 hex digits. */
  device: string;
  first_at: Date;
  last_at: Date;
  /** int8: node-postgres reads it as a string. */
  checks: ColumnType<string, number | string, number | string>;
}

/** An item claimed by its buyer with the scratch PIN. */
export interface ItemClaimsTable {
  subject: string;
  record_id: string;
  device: string;
  claimed_at: Generated<Date>;
}

/** A wrong PIN, by item and by hashed client. */
export interface ClaimFailuresTable {
  id: Generated<string>;
  subject: string;
  client: string;
  at: Generated<Date>;
}

/** A record a consumer notarized without a key, with the file name and size they gave. */
export interface PublicNotarizationsTable {
  record_id: string;
  file_name: string | null;
  size: ColumnType<string | null, number | null | undefined, never>;
  created_at: Generated<Date>;
}

export type ItemClaimRow = Selectable<ItemClaimsTable>;
