// RFC 8785 (JCS) for the flat objects the bulk paths hash by the hundred thousand (envelopes,
// item payloads): members that are strings, booleans, null or safe integers. For those, JCS is
// exactly JSON.stringify with the members in sorted order: §3.2.3 sorts member names by UTF-16
// code units (what Array.prototype.sort does with no comparator), §3.2.2.2 serialises strings as
// ECMAScript's JSON.stringify does, and an integer's shortest form is its decimal digits
// (§3.2.2.3). Anything else (nested values, other numbers, strings with lone surrogates, which
// JCS refuses) goes through the general canonicaliser, canonicalJson; so do member names that an
// object would not keep in insertion order (integer-like names come first in numeric order) or
// that assignment would not create as members ("__proto__").
import { canonicalJson } from "../merkle/index.ts";

type Flat = string | boolean | null | number;

// With /u, a surrogate pair is one code point: this matches lone surrogates only (as canonical.ts).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const isWellFormed = (text: string) => !LONE_SURROGATE.test(text);

function isFlatMember(value: unknown): value is Flat {
  if (value === null || typeof value === "boolean") return true;
  if (typeof value === "string") return isWellFormed(value);
  return typeof value === "number" && Number.isSafeInteger(value);
}

export function canonicalJsonOf(value: Record<string, unknown>): string {
  const names = Object.keys(value);
  const plain = Object.getPrototypeOf(value) === Object.prototype;
  if (!plain || !names.every((name) => isWellFormed(name) && !/^[0-9]+$/.test(name) && name !== "__proto__" && isFlatMember(value[name]))) {
    return canonicalJson(value);
  }
  names.sort();
  const sorted: Record<string, Flat> = {};
  for (const name of names) sorted[name] = value[name] as Flat;
  return JSON.stringify(sorted);
}
