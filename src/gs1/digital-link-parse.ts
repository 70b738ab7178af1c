// Parsing GS1 Digital Link URIs (GS1 Digital Link URI Syntax 1.6), accepting and refusing exactly
// what GS1's Syntax Engine accepts and refuses (gs1_parseDLuri; its test cases are our vectors,
// ../shared/gs1/digital-link-parse-vectors.json).
import {
  isPrimaryKey,
  isValidKeyQualifierPath,
  lookupAi,
  unknownAi,
  type ApplicationIdentifier,
} from "./application-identifiers.ts";
import { validateAiValue } from "./ai-syntax.ts";
import { hasOnlyUriCharacters, percentDecode } from "./charset.ts";
import type { DigitalLink } from "./digital-link.ts";
import type { AiElement } from "./element-string.ts";
import { Gs1SyntaxError } from "./errors.ts";

export interface ParseOptions {
  /**
   * Accept the short names of URI Syntax 1.0/1.1 ("/gtin/…/ser/…"), deprecated since 1.2.
   * Off by default, as in the Syntax Engine.
   */
  permitConvenienceAlphas?: boolean;
  /**
   * Accept a GTIN-8, -12 or -13 as AI (01) and pad it to 14 digits. URI Syntax 1.4 onwards
   * requires the 14 digits, so this is off by default, as in the Syntax Engine.
   */
  permitZeroSuppressedGtin?: boolean;
  /** Accept numeric query parameters that are not in our AI table as data attributes. Off by default. */
  permitUnknownDataAttributes?: boolean;
}

/** The short names of URI Syntax 1.0/1.1 §5 ("convenience alphas"), deprecated since 1.2. */
const CONVENIENCE_ALPHAS: Readonly<Record<string, string>> = {
  cpid: "8010", cpsn: "8011", cpv: "22", gcn: "255", gdti: "253", giai: "8004", ginc: "401",
  gln: "414", glnx: "254", gmn: "8013", grai: "8003", gsin: "402", gsrn: "8018", gsrnp: "8017",
  gtin: "01", itip: "8006", lot: "10", party: "417", refno: "8020", ser: "21", srin: "8019", sscc: "00",
};

/** RFC 3986 §3.2.2 reg-name characters we refuse in a host: sub-delims, "%", "_", "~" and delimiters. */
const BAD_DOMAIN_CHARACTER = /[_~?#@!$&'()*+,;=%]/;

export interface ParsedDigitalLink extends DigitalLink {
  /** Every AI in URI order: primary key, qualifiers, then data attributes. */
  readonly elements: readonly AiElement[];
}

/**
 * Parses a GS1 Digital Link URI into its primary key, key qualifiers and data attributes, or
 * throws a Gs1SyntaxError saying what is wrong. Every AI value is checked against its format.
 */
export function parseDigitalLink(uri: string, options: ParseOptions = {}): ParsedDigitalLink {
  if (!hasOnlyUriCharacters(uri)) throw new Gs1SyntaxError("NOT_A_URI", "the URI contains characters no URI may contain (RFC 3986 §2); percent-encode them");

  // URI Syntax 1.6: http or https. The Syntax Engine takes the scheme in lower or upper case only.
  const scheme = /^(https?|HTTPS?):\/\//.exec(uri)?.[0];
  if (scheme === undefined) throw new Gs1SyntaxError("BAD_SCHEME", "a GS1 Digital Link URI starts with https:// or http://");
  const afterScheme = uri.slice(scheme.length);
  const slash = afterScheme.indexOf("/");
  const domain = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
  if (BAD_DOMAIN_CHARACTER.test(domain)) throw new Gs1SyntaxError("NO_DOMAIN", `"${domain}" is not a domain name`);
  if (slash < 1) throw new Gs1SyntaxError("NO_DOMAIN", "the URI has no domain or no path");

  // RFC 3986 §3: the fragment ends the URI and means nothing to GS1; the query ends the path.
  const withoutFragment = afterScheme.slice(slash).split("#", 1)[0]!;
  const queryAt = withoutFragment.indexOf("?");
  const path = queryAt < 0 ? withoutFragment : withoutFragment.slice(0, queryAt);
  const query = queryAt < 0 ? "" : withoutFragment.slice(queryAt + 1);

  const segments = path.slice(1).split("/");
  const keyAt = findPrimaryKey(segments, options);
  if (keyAt < 0) throw new Gs1SyntaxError("NO_PRIMARY_KEY", "the path does not end in /{primary key AI}/{value}[/{qualifier AI}/{value}…]");
  const stem = scheme + domain + segments.slice(0, keyAt).map((s) => `/${s}`).join("");

  const pathElements: Resolved[] = [];
  for (let i = keyAt; i < segments.length; i += 2) {
    const entry = pathAi(segments[i]!, options)!; // findPrimaryKey walked these already
    pathElements.push(resolveValue(entry, segments[i + 1]!, false, options));
  }

  const attributes: Resolved[] = [];
  const otherQueryParameters: { name: string; value: string | null }[] = [];
  for (const parameter of query.split("&").filter(Boolean)) {
    const equals = parameter.indexOf("=");
    const name = equals < 0 ? parameter : parameter.slice(0, equals);
    // URI Syntax 1.6: a query parameter with a numeric name is an AI; any other is left alone.
    if (equals < 0 || !/^[0-9]+$/.test(name)) {
      otherQueryParameters.push({ name, value: equals < 0 ? null : parameter.slice(equals + 1) });
      continue;
    }
    const entry = lookupAi(name) ?? (options.permitUnknownDataAttributes ? unknownAi(name) : undefined);
    if (entry === undefined) throw new Gs1SyntaxError("UNKNOWN_AI", `query parameter ${name} is numeric but no GS1 Application Identifier`, name);
    attributes.push(resolveValue(entry, parameter.slice(equals + 1), true, options));
  }

  checkStructure(pathElements, attributes);
  for (const { entry, value } of [...pathElements, ...attributes]) validateAiValue(entry, value);

  const element = ({ entry, value }: Resolved): AiElement => ({ ai: entry.ai, value });
  const [primaryKey, ...keyQualifiers] = pathElements.map(element);
  const dataAttributes = attributes.map(element);
  return {
    stem,
    primaryKey: primaryKey!,
    keyQualifiers,
    dataAttributes,
    otherQueryParameters,
    elements: [primaryKey!, ...keyQualifiers, ...dataAttributes],
  };
}

interface Resolved {
  entry: ApplicationIdentifier;
  value: string;
}

/** An AI as a path segment: its number, or with the option a convenience alpha of 3–5 letters. */
function pathAi(segment: string, options: ParseOptions): ApplicationIdentifier | undefined {
  const alpha = options.permitConvenienceAlphas && /^[^0-9].{2,4}$/.test(segment) ? CONVENIENCE_ALPHAS[segment] : undefined;
  return lookupAi(alpha ?? segment);
}

/**
 * Index of the primary key among the path segments, or -1. URI Syntax 1.6 lets any path (a
 * "custom stem") precede the GS1 part, so the Syntax Engine reads /AI/value pairs backwards from
 * the end and stops at the first (rightmost) primary key; a pair whose AI is unknown, or a path
 * ending in "/", ends the search without one.
 */
function findPrimaryKey(segments: readonly string[], options: ParseOptions): number {
  for (let i = segments.length - 2; i >= 0; i -= 2) {
    const entry = pathAi(segments[i]!, options);
    if (entry === undefined) return -1;
    if (isPrimaryKey(entry.ai)) return i;
  }
  return -1;
}

function resolveValue(entry: ApplicationIdentifier, raw: string, inQuery: boolean, options: ParseOptions): Resolved {
  const where = inQuery ? "query parameter" : "path segment";
  if (raw === "") throw new Gs1SyntaxError("EMPTY_VALUE", `AI (${entry.ai}) has an empty value in the ${where}`, entry.ai);
  let value = percentDecode(raw, inQuery);
  if (value === null) throw new Gs1SyntaxError("BAD_VALUE", `AI (${entry.ai}) decodes to a NUL or to bytes that are not UTF-8`, entry.ai);
  if (entry.ai === "01" && options.permitZeroSuppressedGtin && [8, 12, 13].includes(value.length)) {
    value = value.padStart(14, "0");
  }
  return { entry, value };
}

/**
 * The rules between AIs (URI Syntax 1.6): the path is a primary key followed by its qualifiers
 * in order; no AI twice; a query parameter must be an AI allowed as a data attribute, and not a
 * qualifier that could have gone in the path (that one belongs in the path, e.g. ?10= after /01/).
 */
function checkStructure(path: readonly Resolved[], attributes: readonly Resolved[]): void {
  const pathAis = path.map((p) => p.entry.ai);
  if (!isValidKeyQualifierPath(pathAis)) {
    throw new Gs1SyntaxError("BAD_KEY_QUALIFIERS", `/${pathAis.join("/…/")}/… is not a primary key with its key qualifiers in order`);
  }
  const seen = new Set<string>();
  for (const ai of [...pathAis, ...attributes.map((a) => a.entry.ai)]) {
    if (seen.has(ai)) throw new Gs1SyntaxError("DUPLICATE_AI", `AI (${ai}) appears twice`, ai);
    seen.add(ai);
  }
  for (const { entry } of attributes) {
    if (!entry.dataAttribute) throw new Gs1SyntaxError("NOT_A_DATA_ATTRIBUTE", `AI (${entry.ai}) may not be a query parameter`, entry.ai);
    for (let at = 1; at <= pathAis.length; at++) {
      if (isValidKeyQualifierPath([...pathAis.slice(0, at), entry.ai, ...pathAis.slice(at)])) {
        throw new Gs1SyntaxError("BELONGS_IN_PATH", `AI (${entry.ai}) is a key qualifier of (${pathAis[0]}): put it in the path`, entry.ai);
      }
    }
  }
}
