import t from "tap";
import { Transaction } from "ethers";
import { Anchorer, type AnchorPolicy } from "../../src/pipeline/anchorer.ts";
import { markSubmitted } from "../../src/pipeline/batches.ts";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { pipelineHarness, type PipelineHarness } from "../support/pipeline.ts";

const policy: AnchorPolicy = { confirmations: 3, finality: "confirmations", gasLimit: 120_000, mineWaitMs: 2_000 };
const log = { info: () => {}, warn: () => {} };

async function batch(h: PipelineHarness, seq: number) {
  return h.database.db.selectFrom("batches").selectAll().where("seq", "=", seq).executeTakeFirstOrThrow();
}
async function runUntilIdle(anchorer: Anchorer, max = 20) {
  for (let i = 0; i < max && (await anchorer.step()); i++);
}
const rpc = (h: PipelineHarness, method: string, params: unknown[] = []) => (h.chain.provider as unknown as { send(m: string, p: unknown[]): Promise<unknown> }).send(method, params);
const mine = (h: PipelineHarness, blocks: number) => rpc(h, "hardhat_mine", [`0x${blocks.toString(16)}`]);

t.test("the anchorer", async (t) => {
  const h = await pipelineHarness();
  t.teardown(h.close);
  const anchorer = new Anchorer(h.database.db, h.chain, policy, log);

  t.test("anchors a sealed batch, then marks it final after the confirmations", async (t) => {
    await h.accept(5);
    const sealed = await sealBatch(h.database.db, 100);
    await runUntilIdle(anchorer);
    const anchored = await batch(h, sealed!.seq);
    t.equal(anchored.status, "anchored");
    const onChain = await h.chain.contract.anchorOf(`0x${sealed!.root}`);
    t.equal(onChain.treeSize, 5n);
    t.equal(Number(onChain.blockNumber), Number(anchored.block_number));
    t.equal(anchored.block_time?.getTime(), Number(onChain.timestamp) * 1000, "block time from the chain");
    await mine(h, 2);
    await runUntilIdle(anchorer);
    t.equal((await batch(h, sealed!.seq)).status, "final");
  });

  t.test("after a crash between storing and broadcasting, it sends the stored bytes", async (t) => {
    await h.accept(2);
    const sealed = await sealBatch(h.database.db, 100);
    const b = await batch(h, sealed!.seq);
    // What the anchorer stores before it broadcasts, without the broadcast: the crash.
    const request = await h.chain.contract.anchor.populateTransaction(`0x${b.root}`, b.tree_size);
    const nonce = await h.chain.provider.getTransactionCount(h.chain.anchorer, "pending");
    const raw = await h.chain.signer.signTransaction(await h.chain.signer.populateTransaction({ ...request, nonce, gasLimit: 120_000 }));
    const hash = Transaction.from(raw).hash!;
    await markSubmitted(h.database.db, b.seq, { hash, raw, chainId: h.chain.chainId, contract: h.chain.contractAddress });
    await runUntilIdle(anchorer);
    const after = await batch(h, b.seq);
    t.equal(after.status, "anchored");
    t.equal(after.tx_hash, hash, "the very transaction it stored");
    t.equal(await h.chain.contract.anchorCount(), 2n, "anchored once");
  });

  t.test("a root that is on chain already is recorded, not sent again", async (t) => {
    await h.accept(3);
    const sealed = await sealBatch(h.database.db, 100);
    // A previous run sent it and died before writing anything down.
    const tx = await h.chain.contract.anchor(`0x${sealed!.root}`, sealed!.treeSize);
    await tx.wait();
    const countBefore = await h.chain.contract.anchorCount();
    await runUntilIdle(anchorer);
    const after = await batch(h, sealed!.seq);
    t.equal(after.status, "anchored");
    t.equal(after.tx_hash, tx.hash);
    t.equal(await h.chain.contract.anchorCount(), countBefore, "no second anchor");
  });

  t.test("a reorg that drops the anchoring block sends the batch back to sealed, and it is anchored again", async (t) => {
    await mine(h, 3);
    await runUntilIdle(anchorer); // earlier batches become final
    const snapshot = await rpc(h, "evm_snapshot");
    await h.accept(4);
    const sealed = await sealBatch(h.database.db, 100);
    await runUntilIdle(anchorer);
    const first = await batch(h, sealed!.seq);
    t.equal(first.status, "anchored");
    await rpc(h, "evm_revert", [snapshot]); // the chain forgets the anchoring block
    await mine(h, 2); // and grows a different branch at the same height
    await anchorer.step();
    const reorged = await batch(h, sealed!.seq);
    t.not(reorged.block_hash, first.block_hash, "no longer the dropped block");
    await runUntilIdle(anchorer);
    const again = await batch(h, sealed!.seq);
    t.equal(again.status, "anchored");
    t.equal(again.reorgs, 1, "the reorg is counted");
    const onChain = await h.chain.contract.anchorOf(`0x${sealed!.root}`);
    t.equal(Number(onChain.blockNumber), Number(again.block_number), "anchored on the new branch");
  });

  t.test("keeps the batch and reports when the RPC fails, and continues once it is back", async (t) => {
    await h.accept(1);
    const sealed = await sealBatch(h.database.db, 100);
    const broken = new Anchorer(h.database.db, { ...h.chain, provider: { ...h.chain.provider, getTransactionCount: async () => { throw new Error("connection refused"); } } as never }, policy, log);
    await t.rejects(broken.step());
    t.equal((await batch(h, sealed!.seq)).status, "sealed", "nothing moved");
    await runUntilIdle(anchorer);
    t.equal((await batch(h, sealed!.seq)).status, "anchored");
  });
});
