// How single values are written into the CBV 2.0 event hash pre-hash string (§8.9): timestamps,
// numbers, namespaces, vocabulary and identifier URIs, and the one sort order every list uses.
// The rule numbers quoted below are those of the algorithm description that accompanies the
// standard (RalphTro/epcis-event-hash-generator, "Algorithm"), whose vectors we reproduce.
import { legacyCbvUrnToWebUri } from "../cbv.ts";
import { canonicalGs1Uri } from "../epc-uri.ts";

/**
 * Rules 10–12: strings and list members are sorted "according to their case-sensitive lexical
 * ordering, considering UTF-8/ASCII code values". UTF-8 byte order is code point order, which
 * JavaScript's default (UTF-16 code unit) order breaks above U+FFFF: a surrogate (D800–DFFF)
 * must sort after E000–FFFF, so the two ranges are swapped before comparing.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

const codePointRank = (unit: number) => (unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800);

const ABOVE_SURROGATES = /[\uD800-\uFFFF]/;

/**
 * The members of a list, rendered, in pre-hash order. Below U+D800 code unit order is code
 * point order, so the engine's own comparison serves unless a member reaches that range.
 */
export function sortedJoin(parts: string[]): string {
  if (parts.length < 2) return parts.join("");
  return (parts.some((p) => ABOVE_SURROGATES.test(p)) ? parts.sort(compareCodePoints) : parts.sort()).join("");
}

const ALREADY_CANONICAL = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
// xsd:dateTime with a mandatory offset (EPCIS 2.0 requires one on every time).
const DATE_TIME = /^(-?\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;

/**
 * Rules 8–9: a timestamp in UTC with exactly three decimals and `Z`; more decimals are rounded
 * up when the fourth is 5–9 (so `…03.1415Z` becomes `…03.142Z`). A value that is not an
 * xsd:dateTime with an offset is returned unchanged.
 *
 * The Python reference rounds microseconds half-to-even, which differs from the rule only on an
 * exact half of a millisecond with an even millisecond (`.1165` → `.116` there, `.117` here);
 * we follow the written rule.
 */
export function canonicalTimestamp(value: string): string {
  if (ALREADY_CANONICAL.test(value)) return value;
  const m = DATE_TIME.exec(value);
  if (!m) return value;
  const [, year, month, day, hour, minute, second, fraction = "", zulu, sign, offsetHours, offsetMinutes] = m;
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), Number(fraction.slice(0, 3).padEnd(3, "0")));
  let millis = date.getTime();
  if (Number.isNaN(millis)) return value;
  if ((fraction.charCodeAt(3) || 0) >= 53 /* "5" */) millis += 1;
  if (!zulu) millis -= (sign === "-" ? -1 : 1) * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const utc = new Date(millis);
  return Number.isNaN(utc.getTime()) ? value : utc.toISOString();
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Rules 6–7: a number without trailing zeros (`452.0` → `452`, `0.50` → `0.5`). JSON numbers and
 * strings that are decimal numerals alike, as the reference does.
 *
 * The digits are those of the shortest round-trip representation of the double (what both
 * JavaScript and Python print); the layout is the reference's Python one: integral values as
 * integers however large, others in positional notation for exponents -4…15, else `1.5e-05`.
 */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return BigInt(value).toString();
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 16) return String(value);
  const [whole, fraction] = mantissa.split(".");
  const digits = fraction === undefined ? whole : `${whole}.${fraction}`;
  const sign = exponent < 0 ? "-" : "+";
  return `${digits}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

/** A JSON scalar as pre-hash text, before any URI rewriting. */
export function scalarText(value: string | number | boolean): string {
  if (typeof value === "number") return canonicalNumber(value);
  // The reference writes JSON booleans as Python's "True"/"False"; its XML path, and the
  // standard's requirement that JSON and XML hash alike, say "true"/"false".
  if (typeof value === "boolean") return value ? "true" : "false";
  const text = value.trim();
  return DECIMAL.test(text) ? canonicalNumber(Number(text)) : text;
}

/** Prefix → namespace IRI, from the JSON-LD @context in force. */
export type Namespaces = ReadonlyMap<string, string>;

/**
 * Rule 15: a Compact URI (`gs1:Angle`, `cbv:Comp-latitude`) expanded with the namespaces in
 * force. JSON-LD (§4.4 "Compact IRIs") leaves `prefix://…` alone: that is an absolute IRI.
 */
export function expandCompactUri(value: string, namespaces: Namespaces): string {
  const colon = value.indexOf(":");
  if (colon <= 0 || value.startsWith("//", colon + 1)) return value;
  const iri = namespaces.get(value.slice(0, colon));
  return iri === undefined ? value : iri + value.slice(colon + 1);
}

/**
 * Rules 14, 16–17: CBV 1.x URNs as Web URIs, EPC URIs and Digital Links on any host as
 * constrained canonical Digital Links. Applied to every value, whatever field it is in.
 */
export function canonicalUri(text: string): string {
  const vocabulary = legacyCbvUrnToWebUri(text);
  if (vocabulary !== text) return vocabulary;
  if (!text.startsWith("urn:epc:") && !text.startsWith("http")) return text;
  return canonicalGs1Uri(text) ?? text;
}
