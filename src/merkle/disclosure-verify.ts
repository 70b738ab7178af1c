// Verifying a disclosure document (docs/disclosure-v1.md "Verification"): the receipt's own steps
// with the committed payload as its content, then the disclosure step. The receipt steps are run
// by the caller (offline here, against a chain in src/verifier), so both paths share this glue.
import { checkDisclosures, parseDisclosureDocument, sdPayloadBytes, DISCLOSURE_FORMAT } from "./disclosure.ts";
import type { DisclosedField, DisclosureDocument } from "./disclosure.ts";
import { isVerificationError } from "./errors.ts";
import { makeReport, skipped, OFFLINE_STEPS } from "./report.ts";
import type { StepResult, VerificationReport } from "./report.ts";
import { NOT_SEALED, offlineSteps } from "./verify.ts";

export interface DisclosureReport extends VerificationReport {
  /** Present when the disclosures were checked and every one of them holds. */
  disclosure?: { format: typeof DISCLOSURE_FORMAT; disclosed: DisclosedField[]; hidden: number };
}

/** True when `input` claims to be a disclosure document (any version): route it here, not to receipt parsing. */
export function looksLikeDisclosure(input: unknown): boolean {
  const format = typeof input === "object" && input !== null ? (input as { format?: unknown }).format : undefined;
  return typeof format === "string" && format.startsWith("tracemark.disclosure.");
}

export type PreparedDisclosure = { ok: true; document: DisclosureDocument; receipt: unknown; content: Buffer } | { ok: false; format: StepResult };

/** Reads the document; the receipt is then verified with `content` (the payload's canonical bytes). Never throws. */
export function prepareDisclosure(input: unknown): PreparedDisclosure {
  try {
    const document = parseDisclosureDocument(input);
    return { ok: true, document, receipt: document.receipt, content: sdPayloadBytes(document.payload) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = isVerificationError(error) ? error.code : "MALFORMED_DISCLOSURE";
    return { ok: false, format: { step: "format", ok: false, code, reason } };
  }
}

/** The report of a document that could not be read: every later step skipped. */
export function unreadableDisclosure(mode: VerificationReport["mode"], format: StepResult, laterSteps: readonly StepResult["step"][] = []): DisclosureReport {
  const why = "the disclosure document could not be read";
  const steps = [format, ...OFFLINE_STEPS.slice(1).map((s) => skipped(s, why)), ...laterSteps.map((s) => skipped(s, why)), skipped("disclosure", why)];
  return makeReport(mode, steps, undefined);
}

/** Adds the disclosure step to the receipt's report: a failed disclosure makes the whole report invalid. */
export function finishDisclosure(report: VerificationReport, document: DisclosureDocument): DisclosureReport {
  const contentStep = report.steps.find((s) => s.step === "contentHash");
  if (contentStep?.ok !== true) {
    // Without the payload matching the envelope, a digest in it proves nothing.
    return { ...report, steps: [...report.steps, skipped("disclosure", "the payload is not the one the record commits to")] };
  }
  const outcome = checkDisclosures(document.payload, document.disclosures);
  const steps = [...report.steps, outcome.step];
  if (outcome.step.ok !== true) return makeReport(report.mode, steps, undefined, report.onChain, report.trust);
  return { ...report, steps, disclosure: { format: DISCLOSURE_FORMAT, disclosed: outcome.disclosed, hidden: outcome.hidden } };
}

/** Verifies a disclosure document with what it alone proves (no chain). Never throws. */
export function verifyDisclosureOffline(input: unknown): DisclosureReport {
  const prepared = prepareDisclosure(input);
  if (!prepared.ok) return unreadableDisclosure("offline", prepared.format);
  const { receipt, steps } = offlineSteps(prepared.receipt, { content: prepared.content });
  const report = makeReport("offline", steps, receipt !== undefined && receipt.inclusion === null ? NOT_SEALED : undefined);
  return finishDisclosure(report, prepared.document);
}
