// Receipt verification against a chain: the offline steps of src/merkle, then what the contract
// says about the root, through the one RPC the caller trusts. Shared by the CLI and the HTTP
// verify route; no database, no server code. Never throws for bad input: see VerificationReport.
import type { Provider } from "ethers";
import { CHAIN_STEPS, makeReport, skipped } from "../merkle/report.ts";
import type { VerificationReport } from "../merkle/report.ts";
import { NOT_SEALED, offlineSteps } from "../merkle/verify.ts";

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
  const skipAll = (reason: string) => [...steps, ...CHAIN_STEPS.map((s) => skipped(s, reason))];
  if (receipt === undefined) return makeReport("chain", skipAll("the receipt could not be read"), undefined);
  const { inclusion, anchor } = receipt;
  if (inclusion === null) return makeReport("chain", skipAll("not sealed yet"), NOT_SEALED);
  if (anchor === null) return makeReport("chain", skipAll("not anchored yet"), NOT_ANCHORED);

  // ethers is loaded only now: an offline check (the CLI's --offline) starts twice as fast.
  const { chainSteps } = await import("./chain-steps.ts");
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
      const [first, ...rest] = CHAIN_STEPS;
      return makeReport("chain", [...steps, { step: first, ok: false, code: "RPC_UNREACHABLE", reason }, ...rest.map((s) => skipped(s, "the chain could not be asked"))], undefined);
    }
  }
  try {
    const outcome = await chainSteps({ ...receipt, inclusion, anchor }, provider);
    return makeReport("chain", [...steps, ...outcome.steps], outcome.pending, outcome.onChain);
  } finally {
    own?.destroy();
  }
}

export type { VerificationReport, StepResult, StepName, VerificationStatus, OnChainAnchor } from "../merkle/report.ts";
