// Selective disclosure v1 (docs/disclosure-v1.md), modelled on the disclosures of IETF SD-JWT
// (draft-ietf-oauth-selective-disclosure-jwt §4.2): each top-level field of a structured record
// is committed to by the digest of a disclosure `[salt, name, value]`; the record's payload is the
// sorted digest list, and its contentHash (RFC 8785, as every JSON payload) commits to that list.
// Showing a field later is handing over its disclosure; the others stay hidden behind their
// digests. Pure and synchronous like the rest of src/merkle: the CLI, the server and the browser
// run this same code, with the SHA-256 of canonical.ts.
import { canonicalBytes, canonicalJson, nonJsonAt, sha256Hex } from "./canonical.ts";
import type { JsonValue } from "./canonical.ts";
import { contentHashOfJson } from "./envelope.ts";
import { VerificationError } from "./errors.ts";
import type { VerificationCode } from "./errors.ts";
import { isHex32 } from "./hex.ts";
import type { Receipt } from "./receipt.ts";
import type { StepResult } from "./report.ts";

export const DISCLOSURE_FORMAT = "tracemark.disclosure.v1";
/** The only digest algorithm of v1 (SD-JWT's `_sd_alg`, IANA "Named Information Hash Algorithm" name). */
export const SD_ALG = "sha-256";
/** Names a field cannot have: they are the payload's own members (as SD-JWT §4.2 reserves `_sd`). */
const RESERVED_NAMES: ReadonlySet<string> = new Set(["_sd", "_sd_alg", "..."]);
/** More digests than any record of ours has fields; a larger list is refused before any hashing. */
export const MAX_SD_DIGESTS = 256;

/** The committed payload of a structured record: what contentHash is the RFC 8785 hash of. */
export interface SdPayload {
  _sd_alg: typeof SD_ALG;
  /** One digest per top-level field, lower-case hex, sorted ascending, no duplicates. */
  _sd: string[];
}

/** One field's disclosure as the issuer keeps it. */
export interface FieldDisclosure {
  name: string;
  value: JsonValue;
  salt: string;
  /** base64url (no padding) of the UTF-8 of the RFC 8785 JSON array [salt, name, value]. */
  disclosure: string;
  /** SHA-256 of the disclosure's ASCII characters, lower-case hex. */
  digest: string;
}

/** The document a party hands over: the receipt, the committed payload, the chosen disclosures. */
export interface DisclosureDocument<R = unknown> {
  format: typeof DISCLOSURE_FORMAT;
  /** A receipt v1 when produced; as read, unverified until the receipt steps ran. */
  receipt: R;
  payload: SdPayload;
  disclosures: string[];
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** base64url without padding (RFC 4648 §5), as SD-JWT encodes disclosures. */
function toBase64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function fromBase64url(text: string): Buffer | undefined {
  // Buffer's decoder skips what it does not know; a disclosure must be exactly base64url.
  if (!BASE64URL.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, "base64url");
  return toBase64url(bytes) === text ? bytes : undefined;
}

/** The digest of a disclosure string: SHA-256 of its ASCII characters (SD-JWT §4.2), in hex. */
export function disclosureDigest(disclosure: string): string {
  return sha256Hex(disclosure);
}

/** Encodes one disclosure. The array is written in RFC 8785 form so that vectors are reproducible. */
export function encodeDisclosure(salt: string, name: string, value: JsonValue): FieldDisclosure {
  if (!isHex32(salt)) throw new TypeError("a disclosure salt is 64 lower-case hex digits");
  if (RESERVED_NAMES.has(name)) throw new TypeError(`"${name}" is reserved and cannot be a field name`);
  const disclosure = toBase64url(canonicalBytes([salt, name, value]));
  return { name, value, salt, disclosure, digest: disclosureDigest(disclosure) };
}

/** 32 random bytes as hex, from the platform's CSPRNG (Web Crypto: Node and browsers alike). */
export function randomSalt(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Buffer.from(bytes).toString("hex");
}

/**
 * Commits to each top-level field of `fields` separately. Returns the payload to notarize (its
 * RFC 8785 hash becomes the envelope's contentHash) and every field's disclosure, to keep.
 */
export function commitFields(fields: { [name: string]: JsonValue }, saltFor: (name: string) => string = randomSalt): { payload: SdPayload; disclosures: FieldDisclosure[] } {
  const bad = nonJsonAt(fields);
  if (bad !== undefined) throw new TypeError(`not plain JSON at ${bad}`);
  const disclosures = Object.keys(fields)
    .sort()
    .map((name) => encodeDisclosure(saltFor(name), name, fields[name]!));
  return { payload: { _sd_alg: SD_ALG, _sd: disclosures.map((d) => d.digest).sort() }, disclosures };
}

/** The content hash of a structured record: SHA-256 of the payload's RFC 8785 form. */
export function sdContentHash(payload: SdPayload): string {
  return contentHashOfJson(payload as unknown as JsonValue);
}

/** The payload's canonical bytes, to check against envelope.contentHash as any JSON content. */
export function sdPayloadBytes(payload: SdPayload): Buffer {
  return canonicalBytes(payload);
}

/** A disclosure document for the chosen disclosures (by field name) of a record. */
export function discloseFields(receipt: Receipt, payload: SdPayload, all: readonly FieldDisclosure[], names: readonly string[]): DisclosureDocument<Receipt> {
  const chosen = names.map((name) => {
    const found = all.find((d) => d.name === name);
    if (found === undefined) throw new RangeError(`the record has no disclosable field "${name}"`);
    return found.disclosure;
  });
  return { format: DISCLOSURE_FORMAT, receipt, payload: { _sd_alg: payload._sd_alg, _sd: [...payload._sd] }, disclosures: chosen };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const fail = (code: VerificationCode, message: string, path: string) => new VerificationError(code, message, { path });

/** Checks the document's shape (not its hashes); throws MALFORMED_DISCLOSURE naming the member. */
export function parseDisclosureDocument(input: unknown): DisclosureDocument {
  if (!isObject(input)) throw fail("MALFORMED_DISCLOSURE", "a disclosure document is a JSON object", "/");
  if (input["format"] !== DISCLOSURE_FORMAT) {
    const format = input["format"];
    if (typeof format === "string" && format.startsWith("tracemark.disclosure.")) {
      throw fail("UNSUPPORTED_FORMAT", `disclosure format "${format}" is not supported (expected "${DISCLOSURE_FORMAT}")`, "/format");
    }
    throw fail("MALFORMED_DISCLOSURE", `/format must be "${DISCLOSURE_FORMAT}"`, "/format");
  }
  for (const key of Object.keys(input)) {
    if (!["format", "receipt", "payload", "disclosures"].includes(key)) throw fail("MALFORMED_DISCLOSURE", `/${key} is not a member disclosure v1 defines`, `/${key}`);
  }
  const payload = input["payload"];
  parseSdPayload(payload, "/payload");
  const disclosures = input["disclosures"];
  if (!Array.isArray(disclosures) || disclosures.length > MAX_SD_DIGESTS || !disclosures.every((d) => typeof d === "string")) {
    throw fail("MALFORMED_DISCLOSURE", `/disclosures must be an array of at most ${MAX_SD_DIGESTS} strings`, "/disclosures");
  }
  return input as unknown as DisclosureDocument;
}

/** Checks an SD payload: exactly `_sd_alg` "sha-256" and `_sd`, a sorted list of distinct hex digests. */
export function parseSdPayload(payload: unknown, at = ""): SdPayload {
  if (!isObject(payload)) throw fail("MALFORMED_DISCLOSURE", `${at || "/"} must be an object { _sd_alg, _sd }`, at || "/");
  for (const key of Object.keys(payload)) {
    if (key !== "_sd" && key !== "_sd_alg") throw fail("MALFORMED_DISCLOSURE", `${at}/${key} is not a member of a disclosure v1 payload`, `${at}/${key}`);
  }
  if (payload["_sd_alg"] !== SD_ALG) throw fail("MALFORMED_DISCLOSURE", `${at}/_sd_alg must be "${SD_ALG}"`, `${at}/_sd_alg`);
  const digests = payload["_sd"];
  if (!Array.isArray(digests) || digests.length > MAX_SD_DIGESTS) throw fail("MALFORMED_DISCLOSURE", `${at}/_sd must be an array of at most ${MAX_SD_DIGESTS} digests`, `${at}/_sd`);
  digests.forEach((digest, i) => {
    if (!isHex32(digest)) throw fail("MALFORMED_DISCLOSURE", `${at}/_sd/${i} must be 64 lower-case hex digits`, `${at}/_sd/${i}`);
    // Sorted and distinct: the list's order then says nothing about the fields' order.
    if (i > 0 && !((digests[i - 1] as string) < digest)) throw fail("MALFORMED_DISCLOSURE", `${at}/_sd must be sorted ascending without duplicates (at ${i})`, `${at}/_sd/${i}`);
  });
  return payload as unknown as SdPayload;
}

/** One disclosure decoded: throws DISCLOSURE_MALFORMED naming its index. */
export function decodeDisclosure(disclosure: string, at = ""): { salt: string; name: string; value: JsonValue } {
  const bytes = fromBase64url(disclosure);
  const bad = (why: string) => fail("DISCLOSURE_MALFORMED", `${at || "the disclosure"} ${why}`, at || "/");
  if (bytes === undefined) throw bad("is not base64url without padding");
  let array: unknown;
  try {
    array = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw bad("is not the base64url of UTF-8 JSON");
  }
  if (!Array.isArray(array) || array.length !== 3) throw bad("must decode to a JSON array [salt, name, value] of exactly 3 elements");
  const [salt, name, value] = array as unknown[];
  if (!isHex32(salt)) throw bad("has a salt that is not 64 lower-case hex digits");
  if (typeof name !== "string" || name.length === 0) throw bad("has a field name that is not a non-empty string");
  if (RESERVED_NAMES.has(name)) throw bad(`names the reserved member "${name}"`);
  if (nonJsonAt(value) !== undefined) throw bad("has a value that is not plain JSON");
  return { salt, name, value: value as JsonValue };
}

export interface DisclosedField {
  name: string;
  value: JsonValue;
  digest: string;
}

/** What checkDisclosures found: the step, and when it passed, the fields shown and how many stayed hidden. */
export interface DisclosureOutcome {
  step: StepResult;
  disclosed: DisclosedField[];
  hidden: number;
}

/**
 * docs/disclosure-v1.md "Verification", steps 2–4: each disclosure decodes, its digest is in the
 * payload's `_sd`, no digest and no field name is shown twice. (Step 1, the payload against the
 * envelope's contentHash, is the receipt's contentHash step.) Never throws.
 */
export function checkDisclosures(payload: SdPayload, disclosures: readonly string[]): DisclosureOutcome {
  const listed = new Set(payload._sd);
  const seenDigests = new Set<string>();
  const seenNames = new Set<string>();
  const disclosed: DisclosedField[] = [];
  const failed = (code: VerificationCode, reason: string): DisclosureOutcome => ({ step: { step: "disclosure", ok: false, code, reason }, disclosed: [], hidden: payload._sd.length });
  for (let i = 0; i < disclosures.length; i++) {
    const text = disclosures[i]!;
    const at = `/disclosures/${i}`;
    let decoded;
    try {
      decoded = decodeDisclosure(text, at);
    } catch (error) {
      return failed("DISCLOSURE_MALFORMED", (error as Error).message);
    }
    const digest = disclosureDigest(text);
    if (!listed.has(digest)) {
      return failed("DISCLOSURE_DIGEST_UNKNOWN", `${at} (field "${decoded.name}") hashes to ${digest}, which the payload's _sd does not list: the value or salt was altered, or it belongs to another record`);
    }
    if (seenDigests.has(digest)) return failed("DISCLOSURE_DUPLICATE", `${at} repeats an earlier disclosure (digest ${digest})`);
    if (seenNames.has(decoded.name)) return failed("DISCLOSURE_DUPLICATE", `${at} discloses the field "${decoded.name}" a second time`);
    seenDigests.add(digest);
    seenNames.add(decoded.name);
    disclosed.push({ name: decoded.name, value: decoded.value, digest });
  }
  const hidden = payload._sd.length - disclosed.length;
  const names = disclosed.map((d) => d.name).join(", ") || "none";
  return { step: { step: "disclosure", ok: true, reason: `${disclosed.length} field(s) disclosed (${names}), ${hidden} hidden; every disclosure is committed to by the payload` }, disclosed, hidden };
}

/** The canonical JSON text of a payload, as the server stores it (record_payloads). */
export function sdPayloadText(payload: SdPayload): string {
  return canonicalJson(payload);
}
