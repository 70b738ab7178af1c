// The service's deploy block, found on the chain when CONTRACT_DEPLOY_BLOCK is not set, and
// checked when it is. Hardhat's in-process network keeps every block's state, like an archive node.
import t from "tap";
import { BrowserProvider } from "ethers";
import { network } from "hardhat";
import { checkDeployBlock, findDeployBlock } from "../../src/chain/deploy-block.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";

const connection = await network.create();
t.teardown(() => connection.close());
const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
const signer = await provider.getSigner(0);

await provider.send("hardhat_mine", ["0x25"]); // 37 blocks before the deployment
const deployed = await deployBatchAnchor(signer);
// And 20 after it, one by one: EDR's hardhat_mine reserves a range of blocks without their state.
for (let i = 0; i < 20; i++) await provider.send("evm_mine", []);

t.test("finds the block that created the contract by searching eth_getCode", async (t) => {
  t.equal(await findDeployBlock(provider, deployed.address), deployed.blockNumber);
});

t.test("refuses an address without code", async (t) => {
  await t.rejects(findDeployBlock(provider, await signer.getAddress()), /no contract at/);
});

t.test("accepts a configured deploy block at or after the deployment, not one before it or beyond the head", async (t) => {
  await t.resolves(checkDeployBlock(provider, deployed.address, deployed.blockNumber));
  await t.rejects(checkDeployBlock(provider, deployed.address, deployed.blockNumber - 1), /CONTRACT_DEPLOY_BLOCK \d+: there is no contract at .* yet/);
  const head = await provider.getBlockNumber();
  await t.rejects(checkDeployBlock(provider, deployed.address, head + 1), /beyond the chain's head/);
});
