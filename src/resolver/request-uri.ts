// The GS1 Digital Link URI a resolver request names: its path (a trailing slash tolerated, as
// Resolver 1.2 asks) and query, parsed and checked by src/gs1 (URI Syntax 1.6), with a syntax
// error turned into a 400 that names the path parameter or query key at fault.
import { AppError } from "../errors.ts";
import { Gs1SyntaxError, parseDigitalLink, type ParsedDigitalLink } from "../gs1/index.ts";
import type { IdentityQuery } from "./identity.ts";

/** Any stem does: the path and query are what the resolver reads; the host is whoever answered. */
const STEM = "https://resolver.invalid";

const FIELD_OF_AI: Record<string, string> = { "01": "params.gtin", "10": "params.lot", "21": "params.serial" };

/** The path parameter an AI came in, or else the query key it came as (an AI may be in either). */
function fieldOf(ai: string | undefined, path: string): string {
  if (ai === undefined) return "url";
  const inPath = path.split("/").some((segment, i, all) => segment === ai && i % 2 === 1 && i < all.length - 1);
  return inPath ? (FIELD_OF_AI[ai] ?? "url") : `query.${ai}`;
}

export interface RequestUri {
  link: ParsedDigitalLink;
  query: IdentityQuery;
  /** The raw query string, without "?". */
  rawQuery: string;
}

export function requestUri(url: string): RequestUri {
  const queryAt = url.indexOf("?");
  const path = (queryAt < 0 ? url : url.slice(0, queryAt)).replace(/(.)\/$/, "$1");
  const rawQuery = queryAt < 0 ? "" : url.slice(queryAt + 1);
  let link: ParsedDigitalLink;
  try {
    // A GTIN-8/12/13 is padded to 14 digits: URI Syntax 1.4+ writes 14, but codes printed from
    // older tools (and people typing) use the short forms, and the check digit still guards them.
    link = parseDigitalLink(STEM + path + (rawQuery === "" ? "" : `?${rawQuery}`), { permitZeroSuppressedGtin: true });
  } catch (error) {
    if (!(error instanceof Gs1SyntaxError)) throw error;
    const field = fieldOf(error.ai, path);
    throw new AppError("VALIDATION_FAILED", `${field}: not a GS1 Digital Link URI (URI Syntax 1.6): ${error.message}`, { field });
  }
  if (link.stem !== STEM || link.primaryKey.ai !== "01") {
    throw new AppError("VALIDATION_FAILED", "url: this resolver answers /01/{gtin}[/10/{lot}][/21/{serial}] at its root", { field: "url" });
  }
  const qualifier = (ai: string) => link.keyQualifiers.find((q) => q.ai === ai)?.value ?? null;
  return { link, query: { gtin: link.primaryKey.value, lot: qualifier("10"), serial: qualifier("21") }, rawQuery };
}
