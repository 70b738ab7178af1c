// Character sets of GS1 element strings and of the URIs that carry them.

/**
 * GS1 AI encodable character set 82 (GS1 General Specifications §7.11, figure 7.11-1): the
 * characters every alphanumeric ("X") AI value may use, e.g. a lot (10) or a serial (21).
 */
export const CHARSET_82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`;

/** GS1 AI encodable character set 39 (GS1 General Specifications §7.11, figure 7.11-2), for AI 8010. */
export const CHARSET_39 = "#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

const IN_82 = new Set(CHARSET_82);
const IN_39 = new Set(CHARSET_39);

export const isCharset82 = (value: string): boolean => [...value].every((c) => IN_82.has(c));
export const isCharset39 = (value: string): boolean => [...value].every((c) => IN_39.has(c));
export const isDigits = (value: string): boolean => /^[0-9]*$/.test(value);

/**
 * Characters that may appear literally anywhere in a URI (RFC 3986 §2: unreserved, reserved and
 * "%"). A raw space, a non-ASCII letter, `<`, `>`, `{`, `}`, `\`, `^` or a backtick makes the text
 * no URI at all; the Syntax Engine refuses it before looking further (gs1_parseDLuri).
 */
const URI_CHARACTER = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
export const hasOnlyUriCharacters = (text: string): boolean => URI_CHARACTER.test(text);

/** RFC 3986 §2.3 unreserved characters: the only ones a path segment or query value never encodes. */
const UNRESERVED = /[A-Za-z0-9\-._~]/;
const ALL_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Percent-encodes an AI value for a URI path segment or query value (RFC 3986 §2.1, upper-case
 * hex): everything but the unreserved characters, as the GS1 DL URI Syntax asks of AI values, so
 * that `/`, `%`, `#`, `?`, `&` and `+` inside a lot or serial can never change the URI's structure.
 */
export function percentEncode(value: string): string {
  if (ALL_UNRESERVED.test(value)) return value;
  let out = "";
  for (const byte of utf8.encode(value)) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Reverses percent-encoding of one URI component (RFC 3986 §2.1). In a query component `+` means a
 * space (application/x-www-form-urlencoded, as the Syntax Engine reads query values); in a path it
 * is a literal `+`. A `%` not followed by two hex digits stays a literal `%`, as in the Syntax
 * Engine. Returns null when a byte decodes to NUL or the bytes are not UTF-8: no AI value holds either.
 */
export function percentDecode(component: string, inQuery: boolean): string | null {
  if (!component.includes("%") && !(inQuery && component.includes("+"))) return component;
  const bytes: number[] = [];
  for (let i = 0; i < component.length; i++) {
    const c = component[i]!;
    const hex = component.slice(i + 1, i + 3);
    if (c === "%" && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      const byte = Number.parseInt(hex, 16);
      if (byte === 0) return null;
      bytes.push(byte);
      i += 2;
    } else {
      bytes.push(inQuery && c === "+" ? 0x20 : c.charCodeAt(0));
    }
  }
  try {
    return strictUtf8.decode(new Uint8Array(bytes));
  } catch {
    return null;
  }
}
