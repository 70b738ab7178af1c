// The page's connection to the public RPC. The chain steps of one page ask the same questions for
// every entry of a batch (the contract's code, the root's anchor, the transaction, its block), so
// answers are shared within the page (a verification takes seconds; the anchored past does not
// change meanwhile), and calls made together go out as one JSON-RPC batch. The steps themselves
// are the library's (src/verifier): this only changes how often the network is asked.
import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { connectRpc } from "../../verifier/rpc.ts";

/** Calls per JSON-RPC batch: the operator's /rpc takes up to 20 (src/rpc/read-only.ts). */
const BATCH = 20;

class SharingProvider extends JsonRpcProvider {
  readonly #answers = new Map<string, Promise<unknown>>();

  override send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    const key = `${method} ${JSON.stringify(params)}`;
    let answer = this.#answers.get(key);
    if (answer === undefined) {
      answer = super.send(method, params);
      // A failure is not kept: the next entry asks again.
      answer.catch(() => this.#answers.delete(key));
      this.#answers.set(key, answer);
    }
    return answer;
  }
}

/** Asks the chain id once (failing fast when the RPC is down, like the CLI), then shares and batches. */
export async function pageProvider(url: string, timeoutMs: number): Promise<JsonRpcProvider> {
  const probe = await connectRpc(url, timeoutMs);
  const network = await probe.getNetwork();
  probe.destroy();
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  const fixed = Network.from(network.chainId);
  return new SharingProvider(request, fixed, { staticNetwork: fixed, batchMaxCount: BATCH, batchStallTime: 5, cacheTimeout: -1 });
}
