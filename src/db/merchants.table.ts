import type { ColumnType, Insertable, Selectable } from "kysely";

export interface MerchantsTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, never, never>;
}
export type MerchantRow = Selectable<MerchantsTable>;
export type NewMerchantRow = Insertable<MerchantsTable>;
