// Writing canonical GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.6): the form Tracemark
// uses as a record's subject and as the content of a QR code, so that one thing has one URI.
import { lookupAi } from "./application-identifiers.ts";
import { percentEncode } from "./charset.ts";
import type { AiElement } from "./element-string.ts";
import { Gs1SyntaxError } from "./errors.ts";
import { toGtin14 } from "./gtin.ts";
import { parseDigitalLink, type ParsedDigitalLink } from "./digital-link-parse.ts";

export interface DigitalLinkParts {
  /** Where the URI lives, e.g. PUBLIC_BASE_URL "https://trace.example.com" (a trailing "/" is dropped). */
  readonly base: string;
  readonly primaryKey: AiElement;
  /** In any order; they are written in the order the primary key prescribes. */
  readonly keyQualifiers?: readonly AiElement[];
  readonly dataAttributes?: readonly AiElement[];
}

/**
 * The canonical URI `{base}/{key AI}/{key}[/{qualifier AI}/{value}…][?{AI}={value}&…]`:
 * - a GTIN always as 14 digits (URI Syntax 1.4 onwards), a GTIN-8/12/13 given here is padded;
 * - key qualifiers in the order the primary key defines (for 01: 22, 10, 21), URI Syntax 1.6;
 * - data attributes in ascending AI order, so equal content gives equal text;
 * - scheme and host in lower case;
 * - every value percent-encoded except the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
 * The result is parsed back before it is returned: a value that breaks a rule throws Gs1SyntaxError.
 */
export function formatDigitalLink(parts: DigitalLinkParts): string {
  // RFC 3986 §6.2.2.1: scheme and host are case-insensitive; their normal form is lower case.
  const base = parts.base.replace(/\/+$/, "").replace(/^[^/]*\/\/[^/?#]*/, (origin) => origin.toLowerCase());
  const primaryKey = parts.primaryKey.ai === "01" ? { ai: "01", value: toGtin14(parts.primaryKey.value) ?? parts.primaryKey.value } : parts.primaryKey;
  const qualifiers = orderQualifiers(primaryKey.ai, parts.keyQualifiers ?? []);
  const attributes = [...(parts.dataAttributes ?? [])].sort((a, b) => (a.ai < b.ai ? -1 : a.ai > b.ai ? 1 : 0));

  const path = [primaryKey, ...qualifiers].map(({ ai, value }) => `/${ai}/${percentEncode(value)}`).join("");
  const query = attributes.map(({ ai, value }) => `${ai}=${percentEncode(value)}`).join("&");
  const uri = base + path + (query === "" ? "" : `?${query}`);

  const parsed = parseDigitalLink(uri);
  if (parsed.stem !== base) throw new Gs1SyntaxError("NO_DOMAIN", `${parts.base} cannot be the base of a GS1 Digital Link URI`);
  return uri;
}

/** format(parse(uri)) on the URI's own stem: one spelling for every way of writing the same link. */
export function canonicalDigitalLink(uri: string | ParsedDigitalLink): string {
  const link = typeof uri === "string" ? parseDigitalLink(uri) : uri;
  return formatDigitalLink({ base: link.stem, primaryKey: link.primaryKey, keyQualifiers: link.keyQualifiers, dataAttributes: link.dataAttributes });
}

/** Sorts qualifiers into the first of the key's qualifier orders that holds them all. */
function orderQualifiers(key: string, qualifiers: readonly AiElement[]): AiElement[] {
  const orders = lookupAi(key)?.keyQualifiers ?? [];
  const order = orders.find((o) => qualifiers.every((q) => o.includes(q.ai)));
  if (order === undefined) return [...qualifiers]; // the parse below names the problem
  return [...qualifiers].sort((a, b) => order.indexOf(a.ai) - order.indexOf(b.ai));
}
