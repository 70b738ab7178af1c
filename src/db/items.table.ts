import type { Generated, Insertable, Selectable } from "kysely";

export interface ItemsTable {
  gtin: string;
  /** AI (21) SERIAL, drawn at random (src/gs1/serial.ts). */
  serial: string;
  lot: string;
  merchant_id: string;
  subject: string;
  job_id: string | null;
  /** The item's place in its job, for the serials download. */
  job_index: number | null;
  /** HMAC-SHA256 of the scratch PIN, hex; null when the item has none. */
  pin_hmac: string | null;
  created_at: Generated<Date>;
}
export type ItemRow = Selectable<ItemsTable>;
export type NewItemRow = Insertable<ItemsTable>;
