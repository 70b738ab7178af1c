// A disclosure document (docs/disclosure-v1.md) verified like a receipt: the receipt inside it
// through every step verifyReceipt runs (offline, or against the caller's chain and trust), with
// the committed payload as its content, then the disclosure step. Shared by the CLI and
// POST /v1/verify. Never throws for bad input.
import { CHAIN_STEPS } from "../merkle/report.ts";
import { finishDisclosure, prepareDisclosure, unreadableDisclosure } from "../merkle/disclosure-verify.ts";
import type { DisclosureReport } from "../merkle/disclosure-verify.ts";
import { verifyReceipt } from "./index.ts";
import type { VerifyOptions } from "./index.ts";

export type { DisclosureReport } from "../merkle/disclosure-verify.ts";
export { looksLikeDisclosure } from "../merkle/disclosure-verify.ts";

export async function verifyDisclosure(input: unknown, options: Omit<VerifyOptions, "content" | "contentSha256"> = {}): Promise<DisclosureReport> {
  const prepared = prepareDisclosure(input);
  const offline = options.offline === true;
  if (!prepared.ok) return unreadableDisclosure(offline ? "offline" : "chain", prepared.format, offline ? [] : CHAIN_STEPS);
  const report = await verifyReceipt(prepared.receipt, { ...options, content: prepared.content });
  return finishDisclosure(report, prepared.document);
}
