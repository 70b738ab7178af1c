// The outcome of verifying a receipt: one entry per step, in the order docs/receipt-v1.md lists
// them, and an overall status derived from the steps alone.
import type { TrustAnchor } from "../verifier/trust.ts";
import type { VerificationCode } from "./errors.ts";

export const OFFLINE_STEPS = ["format", "recordHash", "contentHash", "leafHash", "auditPath"] as const;
export const CHAIN_STEPS = [
  "trust",
  "chainId",
  "contract",
  "rootOnChain",
  "inclusionOnChain",
  "transaction",
  "anchorLog",
  "blockTime",
  "deployBlock",
] as const;
/** The step a disclosure document adds after the receipt's (docs/disclosure-v1.md). */
export const DISCLOSURE_STEP = "disclosure";
export type StepName = (typeof OFFLINE_STEPS)[number] | (typeof CHAIN_STEPS)[number] | typeof DISCLOSURE_STEP;

export interface StepResult {
  step: StepName;
  /** true passed, false failed, null skipped or not decidable yet (see reason). */
  ok: boolean | null;
  reason?: string;
  code?: VerificationCode;
}

/**
 * - valid: every step that ran passed and the record is sealed (and, unless offline, anchored).
 * - invalid: a step failed: the receipt, the content or the chain contradict each other.
 * - pending: nothing contradicts the receipt, but it is not sealed (or not anchored) yet.
 * - error: the chain could not be asked (RPC down, timeout); says nothing about the receipt.
 * - untrusted: every step that ran passed, but no trusted contract was given, so nothing shows
 *   that the contract the receipt names is Tracemark's (a lookalike would pass as well).
 */
export type VerificationStatus = "valid" | "invalid" | "pending" | "error" | "untrusted";

/** What the chain itself says about the receipt's root (only from an RPC, never the receipt). */
export interface OnChainAnchor {
  chainId: number;
  contract: string;
  /** The contract's 1-based anchor sequence number of the root. */
  seq: number;
  treeSize: number;
  blockNumber: number;
  blockHash: string;
  /** The anchoring block's timestamp, RFC 3339 UTC. */
  blockTime: string;
  /** Blocks on top of and including the anchoring block when the chain was asked. */
  confirmations: number;
}

export interface VerificationReport {
  status: VerificationStatus;
  /** status === "valid". */
  valid: boolean;
  /** "offline": only the receipt's own hashes were checked; "chain": also the anchor, via an RPC. */
  mode: "offline" | "chain";
  /** One line: the status and why. */
  summary: string;
  steps: StepResult[];
  onChain?: OnChainAnchor;
  /** The trusted contracts the receipt was checked against (chain mode); absent when none were given. */
  trust?: TrustAnchor[];
}

const UNREACHABLE: ReadonlySet<VerificationCode> = new Set(["RPC_UNREACHABLE", "RPC_ERROR"]);

/** Builds the report; `pending` is why the receipt is not verifiable yet, if it is not. */
export function makeReport(
  mode: VerificationReport["mode"],
  steps: StepResult[],
  pending: string | undefined,
  onChain?: OnChainAnchor,
  trust?: readonly TrustAnchor[],
): VerificationReport {
  const failed = steps.find((s) => s.ok === false && (s.code === undefined || !UNREACHABLE.has(s.code)));
  const unreachable = steps.find((s) => s.ok === false);
  let status: VerificationStatus;
  let summary: string;
  if (failed !== undefined) {
    status = "invalid";
    summary = `invalid: ${failed.step} failed${failed.code ? ` (${failed.code})` : ""}: ${failed.reason ?? ""}`.trimEnd();
  } else if (unreachable !== undefined) {
    status = "error";
    summary = `could not verify: ${unreachable.reason ?? unreachable.code ?? "the chain could not be asked"}`;
  } else if (pending !== undefined) {
    status = "pending";
    summary = `pending: ${pending}`;
  } else if (mode === "chain" && steps.find((s) => s.step === "trust")?.ok !== true) {
    status = "untrusted";
    summary =
      `untrusted: checked, but not against a trusted contract: the root is anchored on chain ${onChain?.chainId ?? "?"} ` +
      `in block ${onChain?.blockNumber ?? "?"} by ${onChain?.contract ?? "?"}, and nothing shows that this contract is Tracemark's`;
  } else {
    status = "valid";
    summary =
      mode === "offline"
        ? "valid offline: the record is in the tree with this root; the root was not checked against a chain"
        : `valid: the root is anchored on chain ${onChain?.chainId ?? "?"} in block ${onChain?.blockNumber ?? "?"} at ${onChain?.blockTime ?? "?"} by the trusted contract ${onChain?.contract ?? "?"}`;
  }
  const report: VerificationReport = { status, valid: status === "valid", mode, summary, steps };
  if (onChain !== undefined) report.onChain = onChain;
  if (trust !== undefined && trust.length > 0) report.trust = trust.map((a) => ({ ...a }));
  return report;
}

/** A step that did not run because an earlier one made it meaningless. */
export function skipped(step: StepName, reason: string): StepResult {
  return { step, ok: null, reason };
}
