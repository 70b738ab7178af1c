// Offline receipt verification (docs/receipt-v1.md "Verification", steps 1–5): everything that
// can be checked with the receipt alone, plus the content if it is at hand. Never throws:
// malformed input becomes a failed "format" step.
import { isJsonMediaType, contentHashOfBytes, contentHashOfJson, recordHash } from "./envelope.ts";
import { isVerificationError } from "./errors.ts";
import { bytes32 } from "./hex.ts";
import { leafHash } from "./leaf.ts";
import { inclusionPathLength, rootFromInclusion } from "./proof.ts";
import { makeReport, skipped, OFFLINE_STEPS } from "./report.ts";
import type { StepResult, VerificationReport } from "./report.ts";
import { parseReceipt } from "./receipt.ts";
import type { Receipt } from "./receipt.ts";
import type { JsonValue } from "./canonical.ts";

export interface OfflineOptions {
  /** The record's content (the file, or the JSON payload's bytes), to check contentHash. */
  content?: Uint8Array;
  /**
   * Or only the SHA-256 of the content's raw bytes, as lower-case hex: for content too large to
   * hold in memory, hashed as it streams in. A JSON payload is then checked by its raw bytes only
   * (its RFC 8785 form needs the parsed value), so it verifies if it was sent in canonical form.
   */
  contentSha256?: string;
}

export const NOT_SEALED = "the record is not sealed into a batch yet: ask the issuer for an updated receipt";

/** Runs the offline steps; the receipt is returned when it could be parsed. */
export function offlineSteps(input: unknown, options: OfflineOptions = {}): { receipt?: Receipt; steps: StepResult[] } {
  let receipt: Receipt;
  try {
    receipt = parseReceipt(input);
  } catch (error) {
    const format: StepResult = isVerificationError(error)
      ? { step: "format", ok: false, code: error.code, reason: error.message }
      : { step: "format", ok: false, code: "MALFORMED_RECEIPT", reason: String(error) };
    return { steps: [format, ...OFFLINE_STEPS.slice(1).map((s) => skipped(s, "the receipt could not be read"))] };
  }
  try {
    return {
      receipt,
      steps: [
        { step: "format", ok: true, reason: "tracemark.receipt.v1" },
        recordHashStep(receipt),
        contentHashStep(receipt, options),
        leafHashStep(receipt),
        auditPathStep(receipt),
      ],
    };
  } catch (error) {
    // Unreachable for parsed JSON; a JavaScript caller could still pass getters or proxies that
    // change under our feet. The promise is "never throws", so that too is a malformed receipt.
    const format: StepResult = { step: "format", ok: false, code: "MALFORMED_RECEIPT", reason: `unreadable receipt: ${String(error)}` };
    return { steps: [format, ...OFFLINE_STEPS.slice(1).map((s) => skipped(s, "the receipt could not be read"))] };
  }
}

/** Verifies what the receipt alone can prove. Never throws. */
export function verifyReceiptOffline(input: unknown, options: OfflineOptions = {}): VerificationReport {
  const { receipt, steps } = offlineSteps(input, options);
  return makeReport("offline", steps, receipt !== undefined && receipt.inclusion === null ? NOT_SEALED : undefined);
}

function recordHashStep(receipt: Receipt): StepResult {
  const computed = recordHash(receipt.record.envelope);
  if (computed === receipt.record.recordHash) {
    return { step: "recordHash", ok: true, reason: "the envelope hashes to record.recordHash" };
  }
  return {
    step: "recordHash",
    ok: false,
    code: "RECORD_HASH_MISMATCH",
    reason: `the envelope hashes to ${computed}, not to record.recordHash ${receipt.record.recordHash}: the envelope was altered`,
  };
}

function contentHashStep(receipt: Receipt, { content, contentSha256 }: OfflineOptions): StepResult {
  if (content === undefined && contentSha256 === undefined) return skipped("contentHash", "no content given");
  const { contentHash, mediaType } = receipt.record.envelope;
  const raw = content === undefined ? contentSha256 : contentHashOfBytes(content);
  if (raw === contentHash) return { step: "contentHash", ok: true, reason: "the content's bytes hash to envelope.contentHash" };
  // A JSON payload is committed to by the hash of its RFC 8785 form, so a pretty-printed copy of
  // it still verifies (DESIGN.md "Records and hashing").
  if (isJsonMediaType(mediaType) && content === undefined) {
    return {
      step: "contentHash",
      ok: false,
      code: "CONTENT_HASH_MISMATCH",
      reason: `the content's bytes hash to ${raw}, not to envelope.contentHash ${contentHash}; only its raw bytes were compared, not its RFC 8785 canonical form`,
    };
  }
  if (content !== undefined && isJsonMediaType(mediaType)) {
    const canonical = canonicalContentHash(content);
    if (canonical === contentHash) {
      return { step: "contentHash", ok: true, reason: "the content's RFC 8785 canonical JSON hashes to envelope.contentHash" };
    }
  }
  return {
    step: "contentHash",
    ok: false,
    code: "CONTENT_HASH_MISMATCH",
    reason: `the content hashes to ${raw}, not to envelope.contentHash ${contentHash}: this is not the notarized content`,
  };
}

function canonicalContentHash(content: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(content);
    return contentHashOfJson(JSON.parse(text) as JsonValue);
  } catch {
    return undefined;
  }
}

function leafHashStep(receipt: Receipt): StepResult {
  const { inclusion, record } = receipt;
  if (inclusion === null) return skipped("leafHash", "not sealed yet");
  const computed = leafHash(record.salt, record.recordHash);
  if (computed === inclusion.leafHash) {
    return { step: "leafHash", ok: true, reason: "salt and recordHash hash to inclusion.leafHash" };
  }
  return {
    step: "leafHash",
    ok: false,
    code: "LEAF_HASH_MISMATCH",
    reason: `salt and recordHash hash to ${computed}, not to inclusion.leafHash ${inclusion.leafHash}`,
  };
}

function auditPathStep(receipt: Receipt): StepResult {
  const { inclusion } = receipt;
  if (inclusion === null) return skipped("auditPath", "not sealed yet");
  const { leafIndex, treeSize, auditPath, root } = inclusion;
  const fail = (reason: string): StepResult => ({ step: "auditPath", ok: false, code: "AUDIT_PATH_INVALID", reason });
  const expectedLength = inclusionPathLength(leafIndex, treeSize);
  if (expectedLength === undefined) return fail(`leafIndex ${leafIndex} is not in a tree of ${treeSize} leaves`);
  if (auditPath.length !== expectedLength) {
    return fail(`leaf ${leafIndex} of a tree of ${treeSize} has an audit path of ${expectedLength} hashes, not ${auditPath.length}`);
  }
  const computed = rootFromInclusion(bytes32(inclusion.leafHash), leafIndex, treeSize, auditPath.map(bytes32));
  if (computed === undefined) return fail("the audit path does not fit the leaf index and tree size (RFC 9162 §2.1.3.2)");
  if (computed.toString("hex") !== root) {
    return fail(`the audit path leads to ${computed.toString("hex")}, not to inclusion.root ${root}`);
  }
  return { step: "auditPath", ok: true, reason: `leaf ${leafIndex} of ${treeSize} is under inclusion.root (RFC 9162 §2.1.3.2)` };
}
