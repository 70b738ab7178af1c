import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";
import type { FileRef, JsonbColumn } from "./products.table.ts";

/** `date` columns are read through to_char (node-postgres would make them local-midnight Dates). */
type DateColumn = ColumnType<string | null, string | null | undefined, string | null>;

export interface LotsTable {
  gtin: string;
  /** AI (10) BATCH/LOT: up to 20 characters of GS1 character set 82. */
  lot: string;
  merchant_id: string;
  subject: string;
  production_date: DateColumn;
  expiry_date: DateColumn;
  origin: string | null;
  certificates: JsonbColumn<FileRef[]>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type LotRow = Selectable<LotsTable>;
export type NewLotRow = Insertable<LotsTable>;
export type LotUpdate = Updateable<LotsTable>;
