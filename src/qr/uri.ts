// Which URIs get a QR code: a GS1 Digital Link URI (URI Syntax 1.6) of a product, lot or item
// that this service registered, on PUBLIC_BASE_URL, in its canonical spelling.
//
// - On PUBLIC_BASE_URL: the code on a pack must lead to this resolver, where the item's records
//   are; a code for another host would send scans elsewhere under a label printed from here.
// - Registered: a printed code is expensive to take back, and one that resolves to 404 is a
//   misprint (a typo in a lot) or worse; a code is only drawn for what a scan will find.
// - Canonical (src/gs1 canonicalDigitalLink): GTIN-14, qualifiers in order, data attributes
//   sorted, other query parameters dropped, so one thing has one code and one subject.
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import { canonicalDigitalLink, Gs1SyntaxError, parseDigitalLink, type ParsedDigitalLink } from "../gs1/index.ts";
import { identify } from "../resolver/identity.ts";

export async function qrUri(db: Db, base: string, uri: string): Promise<string> {
  let link: ParsedDigitalLink;
  try {
    link = parseDigitalLink(uri);
  } catch (error) {
    if (error instanceof Gs1SyntaxError) throw new AppError("VALIDATION_FAILED", `query.uri is not a GS1 Digital Link URI (URI Syntax 1.6): ${error.message}`, { field: "query.uri" });
    throw error;
  }
  const canonical = canonicalDigitalLink(link);
  if (!canonical.startsWith(`${base.toLowerCase()}/`) || link.primaryKey.ai !== "01" || link.stem.toLowerCase() !== base.toLowerCase()) {
    throw new AppError("VALIDATION_FAILED", `query.uri must be a /01/{gtin} URI on ${base}, the resolver these codes lead to`, { field: "query.uri" });
  }
  const qualifier = (ai: string) => link.keyQualifiers.find((q) => q.ai === ai)?.value ?? null;
  if (link.keyQualifiers.some((q) => q.ai !== "10" && q.ai !== "21")) throw new AppError("VALIDATION_FAILED", "query.uri: only lots (10) and serials (21) are registered here", { field: "query.uri" });
  try {
    await identify(db, { gtin: link.primaryKey.value, lot: qualifier("10"), serial: qualifier("21") });
  } catch (error) {
    if (error instanceof AppError && error.code === "NOT_FOUND") throw new AppError("NOT_FOUND", `query.uri: ${error.message}: ${canonical} is not registered here, so no code is drawn for it`, { field: "query.uri" });
    throw error;
  }
  return canonical;
}
