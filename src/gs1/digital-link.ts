// The structured form of a GS1 Digital Link URI (GS1 Digital Link URI Syntax 1.6).
import type { AiElement } from "./element-string.ts";

export interface DigitalLink {
  /** Scheme, domain and any path before the primary key, without a trailing slash: "https://id.gs1.org". */
  readonly stem: string;
  /** The identification key the URI is about, e.g. { ai: "01", value: "09520123456788" }. */
  readonly primaryKey: AiElement;
  /** Key qualifiers from the path, in path order (for a GTIN: 22, 10, 21 or 235). */
  readonly keyQualifiers: readonly AiElement[];
  /** AIs from the query string, in query order (17 expiry, 3103 net weight…). */
  readonly dataAttributes: readonly AiElement[];
  /** Query parameters that are not AIs, as written (still percent-encoded); value null for "?flag". */
  readonly otherQueryParameters: readonly { readonly name: string; readonly value: string | null }[];
}
