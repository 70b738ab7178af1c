import type { Generated, Insertable, Selectable } from "kysely";

export interface MerchantPrefixesTable {
  /** A GS1 Company Prefix, 4–12 digits (GS1 General Specifications §1.4.4). */
  prefix: string;
  merchant_id: string;
  created_at: Generated<Date>;
}
export type MerchantPrefixRow = Selectable<MerchantPrefixesTable>;
export type NewMerchantPrefixRow = Insertable<MerchantPrefixesTable>;
