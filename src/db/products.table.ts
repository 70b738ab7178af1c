import type { ColumnType, Generated, Insertable, Selectable, Updateable } from "kysely";

/** A file known by its hash: the file itself is uploaded elsewhere (a later issue). */
export interface FileRef {
  sha256: string;
  name: string;
  mediaType: string;
}

/** jsonb: read as parsed JSON, written as JSON text. */
export type JsonbColumn<T> = ColumnType<T, string | undefined, string>;

export interface ProductsTable {
  /** GTIN-14 (GS1 General Specifications §3.3.2). */
  gtin: string;
  merchant_id: string;
  /** Canonical GS1 Digital Link URI: the subject of the product's records. */
  subject: string;
  name: string;
  brand: string | null;
  category: string | null;
  origin: string | null;
  description: string | null;
  images: JsonbColumn<FileRef[]>;
  certificates: JsonbColumn<FileRef[]>;
  /** 1 for the registration; each edit (a new record on the subject) adds one. */
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type ProductRow = Selectable<ProductsTable>;
export type NewProductRow = Insertable<ProductsTable>;
export type ProductUpdate = Updateable<ProductsTable>;
