// A GS1 Digital Link URI from a scanner → the product, lot or item it names, on any host (a QR
// code may carry id.gs1.org or a brand's own domain): GTIN-14, and the lot (AI 10) or serial
// (AI 21) when present (GS1 Digital Link URI Syntax 1.6). A serial names the item even when the
// URI also carries its lot.
import { AppError } from "../../errors.ts";
import { Gs1SyntaxError, parseDigitalLink } from "../../gs1/index.ts";

export interface NamedTradeItem {
  level: "product" | "lot" | "item";
  gtin: string;
  lot: string | null;
  serial: string | null;
}

export function tradeItemOf(uri: string, field: string): NamedTradeItem {
  let parsed;
  try {
    parsed = parseDigitalLink(uri);
  } catch (error) {
    if (error instanceof Gs1SyntaxError) throw new AppError("VALIDATION_FAILED", `${field} is not a GS1 Digital Link URI: ${error.message}`, { field });
    throw error;
  }
  if (parsed.primaryKey.ai !== "01") {
    throw new AppError("NOT_FOUND", `${field} names AI (${parsed.primaryKey.ai}), not a product (01): no product, lot or item has this URI`, { field });
  }
  const qualifier = (ai: string) => parsed.keyQualifiers.find((q) => q.ai === ai)?.value ?? null;
  const serial = qualifier("21");
  const lot = qualifier("10");
  return { level: serial !== null ? "item" : lot !== null ? "lot" : "product", gtin: parsed.primaryKey.value, lot, serial };
}
