// BatchAnchor on a real `hardhat node` in another process, over JSON-RPC: the path a production
// deployment takes with CHAIN_RPC_URL, rather than the in-process network of test/contracts.
import t from "tap";
import { id } from "ethers";
import { batchAnchorAt } from "../../src/chain/artifact.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";
import { hardhatSigner, startHardhatNode } from "../support/hardhat-node.ts";

const node = await startHardhatNode();
t.teardown(() => node.stop());
t.comment(`hardhat node answering JSON-RPC at ${node.url}`);

const signer = await hardhatSigner(node.url, 0);
t.teardown(() => signer.provider.destroy());

t.test("deploys BatchAnchor over JSON-RPC, anchors a root and reads it back", async (t) => {
  const network = await signer.provider.getNetwork();
  t.equal(network.chainId, 31337n, "the chain is a Hardhat node");

  const deployed = await deployBatchAnchor(signer);
  t.match(deployed.address, /^0x[0-9a-fA-F]{40}$/, "an address comes back");
  t.ok(deployed.blockNumber > 0, `deployed in block ${deployed.blockNumber}`);
  t.not(await signer.provider.getCode(deployed.address), "0x", "code is at the address");

  const anchor = batchAnchorAt(deployed.address, signer);
  const root = id("tracemark integration root");
  const receipt = await (await anchor.anchor(root, 8)).wait();
  t.equal(receipt?.status, 1, "the anchor transaction succeeds");
  t.comment(`anchor gasUsed over JSON-RPC: ${receipt?.gasUsed}`);

  const block = await signer.provider.getBlock(receipt!.blockNumber);
  const stored = await anchor.anchorOf(root);
  t.same(
    { seq: stored.seq, treeSize: stored.treeSize, blockNumber: stored.blockNumber, timestamp: stored.timestamp },
    { seq: 1n, treeSize: 8n, blockNumber: BigInt(block!.number), timestamp: BigInt(block!.timestamp) },
    "anchorOf returns what was anchored, in the block that mined it",
  );
  t.equal(await anchor.anchorCount(), 1n, "one root is anchored");
});
