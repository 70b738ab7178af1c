import type { ColumnType, Generated, Insertable, Selectable } from "kysely";

export interface OrdersTable {
  id: string;
  merchant_id: string;
  order_ref: string;
  /** urn:tracemark:order:{merchantId}:{orderRef}: the chain of the order's records. */
  subject: string;
  placed_at: Date;
  currency: string;
  /** A decimal string: prices are never floats. */
  total: string;
  /** The order's own record (kind evidence.order). */
  record_id: string;
  created_at: ColumnType<Date, never, never>;
  last_record_at: Generated<Date>;
  erased_at: Date | null;
}
export type OrderRow = Selectable<OrdersTable>;
export type NewOrderRow = Insertable<OrdersTable>;

export interface OrderItemsTable {
  order_id: string;
  gtin: string;
  serial: string;
  price: string;
  /** When the item was sold: what the clone rules read. */
  sold_at: Date;
}
export type OrderItemRow = Selectable<OrderItemsTable>;

export interface RecordDisclosuresTable {
  record_id: string;
  name: string;
  /** docs/disclosure-v1.md: base64url of [salt, name, value]. Deleted by erasure and the purge. */
  disclosure: string;
  /** A personal field (the buyer): erased on a data subject request. */
  personal: Generated<boolean>;
}
export type RecordDisclosureRow = Selectable<RecordDisclosuresTable>;

export interface AfterSalesTable {
  id: string;
  order_id: string;
  type: string;
  status: string;
  request_record_id: string;
  created_at: ColumnType<Date, never, never>;
  updated_at: Generated<Date>;
}
export type AfterSalesRow = Selectable<AfterSalesTable>;
