// EPC URIs → GS1 Digital Link URIs, and Digital Link URIs → the "constrained canonical" form the
// CBV 2.0 event hash (§8.9) compares identifiers in: host id.gs1.org, no query string, AIs rather
// than short names, and only the finest level of identification.
//
// EPC URI grammar: GS1 EPC Tag Data Standard (TDS) 2.x §6.3 (EPC URIs, one scheme per GS1 key),
// §6.4 (EPC Class URI, lgtin) and §8 (EPC Pattern URIs). The GS1 Company Prefix is the first
// dot-separated component, so its length (6–12 digits) is what the URI itself tells us; the key
// is rebuilt from it and the reference, then given its check digit.
// Digital Link grammar: GS1 Digital Link URI Syntax 1.x §4 (paths of AIs, primary key first,
// then key qualifiers) and its percent-encoding of the AI values.

const CANONICAL_HOST = "https://id.gs1.org";

/** GS1 General Specifications §7.9.1: weights 3,1,3,… from the right, excluding the check digit. */
export function gs1CheckDigit(digitsWithoutCheck: string): string {
  let sum = 0;
  for (let i = digitsWithoutCheck.length - 1, weight = 3; i >= 0; i--, weight = 4 - weight) {
    sum += (digitsWithoutCheck.charCodeAt(i) - 48) * weight;
  }
  return String((10 - (sum % 10)) % 10);
}

// GS1 General Specifications §7.11: AI values are drawn from character set 82 or, for the CPI
// component/part reference (AI 8010), character set 39.
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;
const CSET39 = /^[#\-/0-9A-Z]*$/;
const DIGITS = /^\d*$/;

const fits = (value: string, charset: RegExp, min: number, max: number) =>
  value.length >= min && value.length <= max && charset.test(value);

const URI_SAFE = /^[A-Za-z0-9\-._~';=]*$/;

/**
 * Percent-encoding of an AI value in a Digital Link path. Characters of set 82 that are unsafe
 * in a URI path segment (`! " % & ( ) * + , / : < > ?`, and `#` of set 39) are encoded; the
 * unreserved characters and the sub-delimiters `'`, `;`, `=` stay as they are (RFC 3986 §3.3).
 */
export function encodeAiValue(value: string): string {
  if (URI_SAFE.test(value)) return value;
  let out = "";
  for (const ch of value) {
    if (URI_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Percent-decoding that answers undefined instead of throwing on a malformed escape. */
function percentDecoded(value: string): string | undefined {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- EPC URI → Digital Link

type Converter = (companyPrefix: string, rest: string[]) => string | undefined;

/** Indicator digit or extension digit first, then the company prefix, then the rest (TDS §7.1). */
const withLeadingDigit = (companyPrefix: string, reference: string) =>
  reference.slice(0, 1) + companyPrefix + reference.slice(1);

/** A company prefix and a numeric reference that together have `length` digits. */
const numericKey = (companyPrefix: string, reference: string, length: number) =>
  reference.length + companyPrefix.length === length && DIGITS.test(reference);

const gtin = (cp: string, itemReference: string) => {
  if (!numericKey(cp, itemReference, 13)) return undefined;
  const digits = withLeadingDigit(cp, itemReference);
  return digits + gs1CheckDigit(digits);
};

const thirteenDigitKey = (cp: string, reference: string) =>
  numericKey(cp, reference, 12) ? cp + reference + gs1CheckDigit(cp + reference) : undefined;

/** `/01/{gtin}/21/{serial}`-style suffix, or undefined when the serial is not a valid AI value. */
const qualifier = (ai: string, value: string, charset: RegExp, max: number) =>
  fits(value, charset, 1, max) ? `/${ai}/${encodeAiValue(value)}` : undefined;

const join = (...parts: (string | undefined)[]) => (parts.includes(undefined) ? undefined : parts.join(""));

/** TDS §6.3: `urn:epc:id:{scheme}:` bodies, component by component. */
const EPC_ID: Record<string, [components: number, Converter]> = {
  sgtin: [3, (cp, [ir, serial]) => join("/01/", gtin(cp, ir!), qualifier("21", serial!, CSET82, 20))],
  sscc: [2, (cp, [sr]) => {
    if (!numericKey(cp, sr!, 17)) return undefined;
    const digits = withLeadingDigit(cp, sr!);
    return `/00/${digits}${gs1CheckDigit(digits)}`;
  }],
  sgln: [3, (cp, [lr, ext]) => join("/414/", thirteenDigitKey(cp, lr!), ext === "0" ? "" : qualifier("254", ext!, CSET82, 20))],
  grai: [3, (cp, [at, serial]) => {
    if (!numericKey(cp, at!, 12) || !fits(serial!, CSET82, 1, 16)) return undefined;
    const digits = `0${cp}${at}`;
    return `/8003/${digits}${gs1CheckDigit(digits)}${encodeAiValue(serial!)}`;
  }],
  giai: [2, (cp, [ref]) => (fits(cp + ref, CSET82, 1, 30) ? `/8004/${cp}${encodeAiValue(ref!)}` : undefined)],
  gsrn: [2, (cp, [sr]) => (numericKey(cp, sr!, 17) ? `/8018/${cp}${sr}${gs1CheckDigit(cp + sr)}` : undefined)],
  gsrnp: [2, (cp, [sr]) => (numericKey(cp, sr!, 17) ? `/8017/${cp}${sr}${gs1CheckDigit(cp + sr)}` : undefined)],
  gdti: [3, (cp, [dt, serial]) =>
    fits(serial!, CSET82, 0, 17) ? join("/253/", thirteenDigitKey(cp, dt!), encodeAiValue(serial!)) : undefined],
  cpi: [3, (cp, [ref, serial]) =>
    fits(cp + ref, CSET39, 1, 30) && fits(serial!, DIGITS, 1, 12) ? `/8010/${encodeAiValue(cp + ref)}/8011/${serial}` : undefined],
  sgcn: [3, (cp, [cr, serial]) => (fits(serial!, DIGITS, 0, 12) ? join("/255/", thirteenDigitKey(cp, cr!), serial) : undefined)],
  ginc: [2, (cp, [ref]) => (fits(cp + ref, CSET82, 1, 30) ? `/401/${cp}${encodeAiValue(ref!)}` : undefined)],
  gsin: [2, (cp, [sr]) => (numericKey(cp, sr!, 16) ? `/402/${cp}${sr}${gs1CheckDigit(cp + sr)}` : undefined)],
  itip: [5, (cp, [ir, piece, total, serial]) =>
    /^\d{2}$/.test(piece!) && /^\d{2}$/.test(total!)
      ? join("/8006/", gtin(cp, ir!), piece, total, qualifier("21", serial!, CSET82, 20))
      : undefined],
  upui: [3, (cp, [ir, tpx]) => join("/01/", gtin(cp, ir!), qualifier("235", tpx!, CSET82, 28))],
  pgln: [2, (cp, [pr]) => join("/417/", thirteenDigitKey(cp, pr!))],
};

/** TDS §6.4: the one EPC Class URI scheme, a GTIN with its batch/lot. */
const EPC_CLASS: Record<string, [number, Converter]> = {
  lgtin: [3, (cp, [ir, lot]) => join("/01/", gtin(cp, ir!), qualifier("10", lot!, CSET82, 20))],
};

/** TDS §8: patterns whose only wildcard is the serial denote a class, i.e. the bare key. */
const EPC_PATTERN: Record<string, [number, Converter]> = {
  sgtin: [3, (cp, [ir, star]) => (star === "*" ? join("/01/", gtin(cp, ir!)) : undefined)],
  upui: [3, (cp, [ir, star]) => (star === "*" ? join("/01/", gtin(cp, ir!)) : undefined)],
  grai: [3, (cp, [at, star]) => {
    if (star !== "*" || !numericKey(cp, at!, 12)) return undefined;
    return `/8003/0${cp}${at}${gs1CheckDigit(`0${cp}${at}`)}`;
  }],
  gdti: [3, (cp, [dt, star]) => (star === "*" ? join("/253/", thirteenDigitKey(cp, dt!)) : undefined)],
  sgcn: [3, (cp, [cr, star]) => (star === "*" ? join("/255/", thirteenDigitKey(cp, cr!)) : undefined)],
  cpi: [3, (cp, [ref, star]) => (star === "*" && fits(cp + ref, CSET39, 1, 30) ? `/8010/${encodeAiValue(cp + ref)}` : undefined)],
  itip: [5, (cp, [ir, piece, total, star]) =>
    star === "*" && /^\d{2}$/.test(piece!) && /^\d{2}$/.test(total!) ? join("/8006/", gtin(cp, ir!), piece, total) : undefined],
};

const EPC_URN = /^urn:epc:(id|class|idpat):([a-z]+):(\d{6,12})\.(.*)$/;

/**
 * The GS1 Digital Link URI (on id.gs1.org) of an EPC URI, EPC Class URI or EPC Pattern URI, or
 * undefined when `uri` is none of those or is malformed. Escapes of the URN (TDS §5: `%22`, `%25`,
 * `%26`, `%2F`, `%3C`, `%3E`, `%3F`) are decoded and the value re-encoded as Digital Link does.
 */
export function epcUriToDigitalLink(uri: string): string | undefined {
  const match = EPC_URN.exec(uri);
  if (!match) return undefined;
  const [, kind, scheme, companyPrefix, body] = match as unknown as [string, string, string, string, string];
  const table = kind === "id" ? EPC_ID : kind === "class" ? EPC_CLASS : EPC_PATTERN;
  const rule = Object.hasOwn(table, scheme) ? table[scheme] : undefined;
  if (!rule) return undefined;
  const [components, convert] = rule;
  // The last component (a serial, say) may itself contain dots: it takes the rest of the body.
  const pieces = body.split(".");
  if (pieces.length < components - 1) return undefined;
  const raw = [...pieces.slice(0, components - 2), pieces.slice(components - 2).join(".")];
  const rest = raw.map(percentDecoded);
  if (rest.includes(undefined)) return undefined;
  const path = convert(companyPrefix, rest as string[]);
  return path === undefined ? undefined : CANONICAL_HOST + path;
}

// ---------------------------------------------------------------- Digital Link → constrained form

/** GS1 Digital Link short names (URI Syntax 1.x §6.2, deprecated since 1.2 but still read). */
const SHORT_NAMES: Record<string, string> = {
  gtin: "01", itip: "8006", cpid: "8010", gln: "414", party: "417", gsrnp: "8017", gsrn: "8018",
  gcn: "255", sscc: "00", gdti: "253", ginc: "401", gsin: "402", grai: "8003", giai: "8004",
  cpv: "22", lot: "10", ser: "21", glnx: "254", cpsn: "8011", tpx: "235",
};

interface PrimaryKey {
  valid: (value: string) => boolean;
  /** Key qualifiers, finest first: the constrained form keeps only the finest one present. */
  finestFirst: readonly string[];
}

const PRIMARY_KEYS: Record<string, PrimaryKey> = {
  "00": { valid: (v) => /^\d{18}$/.test(v), finestFirst: [] },
  "01": { valid: (v) => /^\d{14}$/.test(v), finestFirst: ["21", "235", "10"] },
  "253": { valid: (v) => /^\d{13}/.test(v) && fits(v.slice(13), CSET82, 0, 17), finestFirst: [] },
  "255": { valid: (v) => /^\d{13,25}$/.test(v), finestFirst: [] },
  "401": { valid: (v) => fits(v, CSET82, 1, 30), finestFirst: [] },
  "402": { valid: (v) => /^\d{17}$/.test(v), finestFirst: [] },
  "414": { valid: (v) => /^\d{13}$/.test(v), finestFirst: ["254"] },
  "417": { valid: (v) => /^\d{13}$/.test(v), finestFirst: [] },
  "8003": { valid: (v) => /^\d{14}/.test(v) && fits(v.slice(14), CSET82, 0, 16), finestFirst: [] },
  "8004": { valid: (v) => fits(v, CSET82, 1, 30), finestFirst: [] },
  "8006": { valid: (v) => /^\d{18}$/.test(v), finestFirst: ["21", "10"] },
  "8010": { valid: (v) => fits(v, CSET39, 1, 30), finestFirst: ["8011"] },
  "8017": { valid: (v) => /^\d{18}$/.test(v), finestFirst: [] },
  "8018": { valid: (v) => /^\d{18}$/.test(v), finestFirst: [] },
};

const QUALIFIERS: Record<string, (value: string) => boolean> = {
  "22": (v) => fits(v, CSET82, 1, 20),
  "10": (v) => fits(v, CSET82, 1, 20),
  "21": (v) => fits(v, CSET82, 1, 20),
  "235": (v) => fits(v, CSET82, 1, 28),
  "254": (v) => fits(v, CSET82, 1, 20),
  "8011": (v) => fits(v, DIGITS, 1, 12),
};

const aiOf = (segment: string) => SHORT_NAMES[segment] ?? segment;

/** GTIN-8, -12 and -13 are written as GTIN-14 in Digital Link (URI Syntax 1.x §4.8). */
const padGtin = (value: string) => (/^(\d{8}|\d{12}|\d{13})$/.test(value) ? value.padStart(14, "0") : value);

const HTTP_URI = /^https?:\/\/[^/?#]*([^?#]*)/;

/**
 * The constrained canonical form of a GS1 Digital Link URI on any host — `https://id.gs1.org`,
 * no query string or fragment, numeric AIs, GTINs as 14 digits, and of the key qualifiers only
 * the finest (a serial over a lot; never a CPV) — or undefined when `uri` carries no GS1 key.
 * The primary key is the first path segment that starts a valid AI path, so a resolver's own
 * path prefix (`https://example.com/products/01/…`) is skipped.
 */
export function constrainedDigitalLink(uri: string): string | undefined {
  const match = HTTP_URI.exec(uri);
  if (!match) return undefined;
  const segments = match[1]!.split("/").slice(1);
  if (segments.at(-1) === "") segments.pop();
  for (let start = 0; start + 1 < segments.length; start++) {
    if ((segments.length - start) % 2 !== 0) continue;
    const found = keyPath(segments.slice(start));
    if (found !== undefined) return CANONICAL_HOST + found;
  }
  return undefined;
}

/** `segments` read as primary key, value, then qualifier pairs; the constrained path, if valid. */
function keyPath(segments: string[]): string | undefined {
  const ai = aiOf(segments[0]!);
  const key = Object.hasOwn(PRIMARY_KEYS, ai) ? PRIMARY_KEYS[ai]! : undefined;
  if (!key) return undefined;
  const decoded = percentDecoded(segments[1]!);
  if (decoded === undefined) return undefined;
  const value = ai === "01" ? padGtin(decoded) : decoded;
  if (!key.valid(value)) return undefined;
  const qualifiers = new Map<string, string>();
  for (let i = 2; i < segments.length; i += 2) {
    const qualifierAi = aiOf(segments[i]!);
    const qualifierValue = percentDecoded(segments[i + 1]!);
    const allowed = qualifierAi === "22" ? ai === "01" || ai === "8006" : key.finestFirst.includes(qualifierAi);
    if (!allowed || qualifierValue === undefined || !QUALIFIERS[qualifierAi]!(qualifierValue)) return undefined;
    qualifiers.set(qualifierAi, qualifierValue);
  }
  const finest = key.finestFirst.find((q) => qualifiers.has(q));
  const tail = finest === undefined ? "" : `/${finest}/${encodeAiValue(qualifiers.get(finest)!)}`;
  return `/${ai}/${encodeAiValue(value)}${tail}`;
}

/**
 * Any way of writing a GS1 identifier in an event — EPC URI, EPC Class or Pattern URI, or a
 * Digital Link on any host — as the one URI the event hash compares; undefined for other values.
 */
export function canonicalGs1Uri(value: string): string | undefined {
  return value.startsWith("urn:epc:") ? epcUriToDigitalLink(value) : constrainedDigitalLink(value);
}
