// Building blocks of the chain steps' results (docs/receipt-v1.md "Verification, step by step").
import { isError } from "ethers";
import type { StepName, StepResult } from "../merkle/report.ts";
import type { VerificationCode } from "../merkle/errors.ts";

export const fail = (step: StepName, code: VerificationCode, reason: string): StepResult => ({ step, ok: false, code, reason });
export const pass = (step: StepName, reason: string): StepResult => ({ step, ok: true, reason });

/** A failed RPC call: the contract's answer was a revert or not decodable, or the RPC failed. */
export function callFailure(step: StepName, what: string, error: unknown): StepResult {
  const message = error instanceof Error ? (error as { shortMessage?: string }).shortMessage ?? error.message : String(error);
  if (isError(error, "CALL_EXCEPTION") || isError(error, "BAD_DATA")) {
    return fail(step, "CONTRACT_CALL_FAILED", `${what} failed: the contract is not a Tracemark BatchAnchor (${message})`);
  }
  return fail(step, "RPC_ERROR", `${what} failed at the RPC: ${message}`);
}

export const rfc3339 = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
