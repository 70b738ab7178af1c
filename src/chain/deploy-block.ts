// The block that created the BatchAnchor contract: the trust document's `deployBlock`, below which
// no genuine anchor can exist (docs/receipt-v1.md "Trust"). Known exactly when we deploy; for a
// contract deployed earlier it is CONTRACT_DEPLOY_BLOCK, or found here from the chain itself.
import type { Provider } from "ethers";

/**
 * The first block at whose end `address` holds code: a binary search over eth_getCode at
 * historical blocks (about log2(head) calls). Contracts here are never self-destructed, so "has
 * code" is monotonic in the block number. Reading old state needs an archive node: a pruned
 * node's error is reported with the way out (CONTRACT_DEPLOY_BLOCK, which `npm run deploy` prints).
 */
export async function findDeployBlock(provider: Provider, address: string): Promise<number> {
  const head = await provider.getBlockNumber();
  const hasCode = async (block: number) => {
    try {
      return (await provider.getCode(address, block)) !== "0x";
    } catch (error) {
      const why = (error as { shortMessage?: string }).shortMessage ?? (error as Error).message;
      throw new Error(
        `cannot find the block that deployed ${address}: the RPC does not serve its code at block ${block} ` +
          `(not an archive node? ${why.split("\n")[0]}); set CONTRACT_DEPLOY_BLOCK (npm run deploy prints it)`,
        { cause: error },
      );
    }
  };
  if (!(await hasCode(head))) throw new Error(`no contract at ${address} in block ${head}`);
  let low = 0;
  let high = head;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (await hasCode(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/**
 * A configured deploy block, checked as far as the RPC allows: not beyond the head, and, where the
 * node still has that block's state, the contract exists at it. (Too low a value only weakens the
 * check; too high a value would reject genuine receipts, so that is what is checked.)
 */
export async function checkDeployBlock(provider: Provider, address: string, block: number): Promise<void> {
  const head = await provider.getBlockNumber();
  if (block > head) throw new Error(`CONTRACT_DEPLOY_BLOCK ${block} is beyond the chain's head ${head}`);
  const code = await provider.getCode(address, block).catch(() => undefined);
  if (code === "0x") throw new Error(`CONTRACT_DEPLOY_BLOCK ${block}: there is no contract at ${address} yet in that block`);
}
