// Receipt verification against a chain: the offline steps of src/merkle, then what the contract
// says about the root, through the one RPC the caller gives, judged against the contracts the
// caller trusts. Shared by the CLI and the HTTP verify route; no database, no server code. Never
// throws for bad input: see VerificationReport.
import type { Provider } from "ethers";
import { CHAIN_STEPS, makeReport, skipped } from "../merkle/report.ts";
import type { VerificationReport } from "../merkle/report.ts";
import { NOT_SEALED, offlineSteps } from "../merkle/verify.ts";
import type { TrustAnchor } from "./trust.ts";

export interface VerifyOptions {
  /** The record's content, to check envelope.contentHash. */
  content?: Uint8Array;
  /** Or the SHA-256 hex of its raw bytes (content hashed as a stream): see OfflineOptions. */
  contentSha256?: string;
  /** An http(s) JSON-RPC endpoint of the chain the receipt names. */
  rpcUrl?: string;
  /** Or a provider (tests, or a server that already holds one). Takes precedence over rpcUrl. */
  provider?: Provider;
  /** Only the offline steps: nothing is asked of any chain. */
  offline?: boolean;
  /** Per-request timeout for rpcUrl, ms. */
  timeoutMs?: number;
  /**
   * The contracts the caller trusts (a trust document's anchors). Without any, every step still
   * runs but the report is at best `untrusted`: the receipt alone cannot say which contract counts.
   */
  trust?: readonly TrustAnchor[];
}

export const NOT_ANCHORED = "the batch is sealed but its root is not anchored yet: ask the issuer for an updated receipt";

export async function verifyReceipt(input: unknown, options: VerifyOptions = {}): Promise<VerificationReport> {
  const { content, contentSha256 } = options;
  const { receipt, steps } = offlineSteps(input, { ...(content === undefined ? {} : { content }), ...(contentSha256 === undefined ? {} : { contentSha256 }) });
  if (options.offline === true) {
    return makeReport("offline", steps, receipt?.inclusion === null ? NOT_SEALED : undefined);
  }
  if (options.provider === undefined && options.rpcUrl === undefined) {
    throw new TypeError("verifyReceipt needs rpcUrl or provider, or offline: true");
  }
  const { trust } = options;
  const report = (chainStepResults: typeof steps, pending: string | undefined, onChain?: Parameters<typeof makeReport>[3]) =>
    makeReport("chain", [...steps, ...chainStepResults], pending, onChain, trust);
  const skipAll = (reason: string) => CHAIN_STEPS.map((s) => skipped(s, reason));
  if (receipt === undefined) return report(skipAll("the receipt could not be read"), undefined);
  const { inclusion, anchor } = receipt;
  if (inclusion === null) return report(skipAll("not sealed yet"), NOT_SEALED);
  if (anchor === null) return report(skipAll("not anchored yet"), NOT_ANCHORED);

  // ethers is loaded only now: an offline check (the CLI's --offline) starts twice as fast.
  const { chainSteps, trustStep } = await import("./chain-steps.ts");
  const { connectRpc, DEFAULT_RPC_TIMEOUT_MS, RpcUnreachableError } = await import("./rpc.ts");
  let provider = options.provider;
  let own: { destroy(): void } | undefined;
  if (provider === undefined) {
    try {
      const connected = await connectRpc(options.rpcUrl!, options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
      provider = connected;
      own = connected;
    } catch (error) {
      const reason = error instanceof RpcUnreachableError ? error.message : `the RPC could not be used: ${String(error)}`;
      // The trust step needs no chain: a contract that is not trusted is reported even now.
      const unreachable = CHAIN_STEPS.slice(2).map((s) => skipped(s, "the chain could not be asked"));
      return report([trustStep(anchor, trust).step, { step: "chainId", ok: false, code: "RPC_UNREACHABLE", reason }, ...unreachable], undefined);
    }
  }
  try {
    const outcome = await chainSteps({ ...receipt, inclusion, anchor }, provider, trust);
    return report(outcome.steps, outcome.pending, outcome.onChain);
  } finally {
    own?.destroy();
  }
}

export type { VerificationReport, StepResult, StepName, VerificationStatus, OnChainAnchor } from "../merkle/report.ts";
export type { TrustAnchor, TrustDocument } from "./trust.ts";
