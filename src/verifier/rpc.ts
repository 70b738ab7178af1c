// A JSON-RPC provider for an http(s) URL that fails fast. ethers' JsonRpcProvider, left to detect
// the network itself, retries forever (logging every second) when the endpoint is down; a
// verifier must instead say "unreachable" and stop. So the chain id is asked once, with a
// timeout, and the provider is then pinned to that network.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { redact } from "./redact.ts";

export { redact };

export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

export class RpcUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`the RPC at ${redact(url)} did not answer eth_chainId: ${cause instanceof Error ? cause.message.split("\n")[0] : String(cause)}`, { cause });
    this.name = "RpcUnreachableError";
  }
}


/** Connects to `url` and returns a provider pinned to the chain id it reports. Call destroy() after. */
export async function connectRpc(url: string, timeoutMs = DEFAULT_RPC_TIMEOUT_MS): Promise<JsonRpcProvider> {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  const probe = new JsonRpcProvider(request, undefined, { staticNetwork: true });
  let chainId: bigint;
  try {
    const [answer] = await probe._send({ id: 1, jsonrpc: "2.0", method: "eth_chainId", params: [] });
    if (answer === undefined || !("result" in answer) || typeof answer.result !== "string") {
      throw new Error("no chain id in the answer");
    }
    chainId = BigInt(answer.result);
  } catch (error) {
    throw new RpcUnreachableError(url, error);
  } finally {
    probe.destroy();
  }
  const network = Network.from(chainId);
  // No response cache: ethers would answer a repeated call (a nonce, the latest block) from the
  // last 250 ms, and the anchorer that shares this provider needs the chain's answer now.
  return new JsonRpcProvider(request, network, { staticNetwork: network, batchMaxCount: 1, cacheTimeout: -1 });
}
