// RFC 8785 (JSON Canonicalization Scheme) and SHA-256: the two primitives every hash in
// docs/receipt-v1.md is built from.
import { hash } from "node:crypto";
import canonicalize from "canonicalize";

/** A value that survives JSON.stringify → JSON.parse unchanged. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** SHA-256 of `data` (strings are hashed as their UTF-8 bytes). */
export function sha256(data: Uint8Array | string): Buffer {
  return hash("sha256", data, "buffer");
}

/** SHA-256 of `data` as 64 lower-case hex digits. */
export function sha256Hex(data: Uint8Array | string): string {
  return hash("sha256", data, "hex");
}

/** Deeper nesting than this is refused: a receipt must not be able to exhaust the verifier's stack. */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `value` stops being plain JSON, as a JSON pointer, or undefined when it is plain JSON.
 *
 * canonicalize() follows JSON.stringify: it calls toJSON, drops undefined members and turns
 * functions into null. A server that hashed such a value would hand out a receipt whose envelope,
 * once written to JSON and read back, hashes differently. So anything that is not null, a boolean,
 * a finite number, a well-formed string, an array or a plain object is refused up front, and so
 * are cycles and nesting deeper than MAX_JSON_DEPTH.
 */
export function nonJsonAt(value: unknown, at = "", depth = 0): string | undefined {
  const steps = stepsToNonJson(value, depth);
  if (steps === undefined) return undefined;
  return at + steps.reverse().join("") || "/";
}

/**
 * nonJsonAt's walk. The pointer is assembled only when something is wrong: its steps ("/key",
 * "/3") are pushed leaf first on the way back up, so a plain value (every record a server
 * hashes) costs no string building at all.
 */
function stepsToNonJson(value: unknown, depth: number): string[] | undefined {
  if (value === null || typeof value === "boolean") return undefined;
  if (typeof value === "number") return Number.isFinite(value) ? undefined : [];
  if (typeof value === "string") return isWellFormed(value) ? undefined : [];
  if (typeof value !== "object" || depth >= MAX_JSON_DEPTH) return [];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = stepsToNonJson(value[i], depth + 1);
      if (bad !== undefined) {
        bad.push(`/${i}`);
        return bad;
      }
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return [];
  for (const key of Object.keys(value)) {
    if (!isWellFormed(key)) return [`/${escapePointer(key)}`];
    const bad = stepsToNonJson((value as Record<string, unknown>)[key], depth + 1);
    if (bad !== undefined) {
      bad.push(`/${escapePointer(key)}`);
      return bad;
    }
  }
  return undefined;
}

// In a /u regular expression a surrogate pair is one code point, so this matches lone surrogates
// only: strings that have no UTF-8 encoding and that canonicalize() rejects.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

function escapePointer(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** RFC 8785 canonical JSON text of `value`. Throws a TypeError for anything but plain JSON. */
export function canonicalJson(value: unknown): string {
  const bad = nonJsonAt(value);
  if (bad !== undefined) throw new TypeError(`not plain JSON at ${bad}`);
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError("not plain JSON");
  return text;
}

/** The UTF-8 bytes of the RFC 8785 canonical JSON text of `value`. */
export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalJson(value), "utf8");
}
