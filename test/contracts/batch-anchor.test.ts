import t from "tap";
import { BrowserProvider, Interface, id, isError } from "ethers";
import { network } from "hardhat";
import { batchAnchorArtifact, batchAnchorAt } from "../../src/chain/artifact.ts";
import type { BatchAnchorContract, OnChainAnchor } from "../../src/chain/artifact.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";

const GAS_BUDGET = 60_000n;
const ANCHORER_ROLE = id("ANCHORER_ROLE");
const ZERO = `0x${"00".repeat(32)}`;
const DEFAULT_ADMIN_ROLE = ZERO;

const connection = await network.create();
t.teardown(() => connection.close());
// cacheTimeout -1: ethers otherwise answers an identical request made within 250 ms from a cache,
// so re-sending an anchor that just succeeded would reuse its gas estimate instead of reverting.
const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
const admin = await provider.getSigner(0);
const anchorer = await provider.getSigner(1);
const outsider = await provider.getSigner(2);
const iface = new Interface(batchAnchorArtifact().abi);

let rootCounter = 0;
/** A fresh, non-zero root for each anchor. */
function newRoot(): string {
  return id(`root ${++rootCounter}`);
}

async function deployed(): Promise<BatchAnchorContract> {
  const { address } = await deployBatchAnchor(admin, { anchorer: await anchorer.getAddress() });
  return batchAnchorAt(address, anchorer);
}

/** anchorOf(root) as a plain object (ethers returns a Result, an array with named fields). */
async function stored(anchor: BatchAnchorContract, root: string): Promise<OnChainAnchor> {
  const { seq, treeSize, blockNumber, timestamp } = await anchor.anchorOf(root);
  return { seq, treeSize, blockNumber, timestamp };
}

/** The contract's custom error that `action` reverted with, decoded from the revert data. */
async function revertOf(action: Promise<unknown>): Promise<{ name: string; args: unknown[] }> {
  try {
    await action;
  } catch (err) {
    const data = isError(err, "CALL_EXCEPTION") ? err.data : undefined;
    const parsed = typeof data === "string" ? iface.parseError(data) : null;
    if (parsed === null) throw err;
    return { name: parsed.name, args: [...parsed.args] };
  }
  throw new Error("expected a revert, but the call succeeded");
}

t.test("grants DEFAULT_ADMIN_ROLE to the admin and ANCHORER_ROLE to the anchorer, and nothing more", async (t) => {
  const anchor = await deployed();
  const [a, b, c] = await Promise.all([admin.getAddress(), anchorer.getAddress(), outsider.getAddress()]);
  t.equal(await anchor.ANCHORER_ROLE(), ANCHORER_ROLE, 'ANCHORER_ROLE is keccak256("ANCHORER_ROLE")');
  t.equal(await anchor.hasRole(DEFAULT_ADMIN_ROLE, a), true, "the admin is admin");
  t.equal(await anchor.hasRole(ANCHORER_ROLE, b), true, "the anchorer is anchorer");
  t.equal(await anchor.hasRole(ANCHORER_ROLE, a), false, "the admin is not anchorer");
  t.equal(await anchor.hasRole(DEFAULT_ADMIN_ROLE, b), false, "the anchorer is not admin");
  t.equal(await anchor.hasRole(ANCHORER_ROLE, c), false, "anybody else is neither");
  t.equal(await anchor.anchorCount(), 0n, "nothing is anchored yet");
});

t.test("lets only holders of ANCHORER_ROLE anchor", async (t) => {
  const anchor = await deployed();
  for (const signer of [admin, outsider]) {
    const who = await signer.getAddress();
    const as = anchor.connect(signer) as BatchAnchorContract;
    t.same(await revertOf(as.anchor(newRoot(), 1)), {
      name: "AccessControlUnauthorizedAccount",
      args: [who, ANCHORER_ROLE],
    }, `${who} is refused`);
  }
  t.equal(await anchor.anchorCount(), 0n, "nothing was anchored");
});

t.test("lets the admin grant and revoke ANCHORER_ROLE, and nobody else", async (t) => {
  const anchor = await deployed();
  const who = await outsider.getAddress();
  const asAdmin = anchor.connect(admin) as BatchAnchorContract;
  const asOutsider = anchor.connect(outsider) as BatchAnchorContract;

  t.same(await revertOf(asOutsider.grantRole(ANCHORER_ROLE, who)), {
    name: "AccessControlUnauthorizedAccount",
    args: [who, DEFAULT_ADMIN_ROLE],
  }, "a non-admin cannot hand out the role");

  await (await asAdmin.grantRole(ANCHORER_ROLE, who)).wait();
  await (await asOutsider.anchor(newRoot(), 3)).wait();
  t.equal(await anchor.anchorCount(), 1n, "a newly granted anchorer can anchor");

  await (await asAdmin.revokeRole(ANCHORER_ROLE, who)).wait();
  t.equal((await revertOf(asOutsider.anchor(newRoot(), 3))).name, "AccessControlUnauthorizedAccount",
    "a revoked anchorer cannot");
  t.equal(await anchor.anchorCount(), 1n, "only the granted anchorer's root was anchored");
});

t.test("rejects a second anchor of the same root with RootAlreadyAnchored(root, seq)", async (t) => {
  const anchor = await deployed();
  await (await anchor.anchor(newRoot(), 1)).wait();
  const root = newRoot();
  await (await anchor.anchor(root, 5)).wait();
  t.same(await revertOf(anchor.anchor(root, 5)), { name: "RootAlreadyAnchored", args: [root, 2n] },
    "naming the root and its sequence number");
  t.same(await revertOf(anchor.anchor(root, 6)), { name: "RootAlreadyAnchored", args: [root, 2n] },
    "whatever tree size comes with it");
  t.equal(await anchor.anchorCount(), 2n, "the count is unchanged");
});

t.test("rejects an empty tree with EmptyTree and the zero root with ZeroRoot", async (t) => {
  const anchor = await deployed();
  t.same(await revertOf(anchor.anchor(newRoot(), 0)), { name: "EmptyTree", args: [] }, "tree size 0");
  t.same(await revertOf(anchor.anchor(ZERO, 1)), { name: "ZeroRoot", args: [] }, "root 0x00…00");
  t.equal(await anchor.anchorCount(), 0n, "nothing was anchored");
});

t.test("emits Anchored(seq, root, treeSize) and numbers anchors from 1", async (t) => {
  const anchor = await deployed();
  for (const [i, size] of [7n, 1n, 2n ** 64n - 1n].entries()) {
    const root = newRoot();
    const seq = BigInt(i + 1);
    t.equal(await anchor.anchor.staticCall(root, size), seq, `anchor returns seq ${seq}`);
    const receipt = await (await anchor.anchor(root, size)).wait();
    const events = receipt!.logs.map((log) => iface.parseLog(log)).filter((e) => e !== null);
    t.same(events.map((e) => e.name), ["Anchored"], "one Anchored event");
    t.same([...events[0]!.args], [seq, root, size], `Anchored(${seq}, root, ${size})`);
    t.equal(await anchor.anchorCount(), seq, `anchorCount is ${seq}`);
  }
});

t.test("stores seq, treeSize and the mined block's number and timestamp for each root", async (t) => {
  const anchor = await deployed();
  const root = newRoot();
  t.same(await stored(anchor, root), { seq: 0n, treeSize: 0n, blockNumber: 0n, timestamp: 0n },
    "all zero before it is anchored");

  await (await anchor.anchor(newRoot(), 2)).wait();
  const receipt = await (await anchor.anchor(root, 42)).wait();
  const block = await provider.getBlock(receipt!.blockNumber);
  t.same(await stored(anchor, root), {
    seq: 2n,
    treeSize: 42n,
    blockNumber: BigInt(block!.number),
    timestamp: BigInt(block!.timestamp),
  }, "seq 2, tree size 42, and the block that mined the anchor");
});

t.test("costs at most 60,000 gas per anchor transaction, the first one and every later one", async (t) => {
  const anchor = await deployed();
  const sizes = [1n, 2n, 1_000n, 70_000n, 2n ** 32n, 2n ** 63n, 2n ** 64n - 1n, 3n, 4n, 5n];
  const used: bigint[] = [];
  for (const [i, size] of sizes.entries()) {
    // Calldata costs more per non-zero byte: one root is all 0xff, sent with the largest size.
    const root = i === 6 ? `0x${"ff".repeat(32)}` : newRoot();
    const receipt = await (await anchor.anchor(root, size)).wait();
    used.push(receipt!.gasUsed);
  }
  t.comment(`anchor gasUsed: first ${used[0]}, then ${used.slice(1).join(", ")}`);
  for (const [i, gas] of used.entries()) {
    t.ok(gas <= GAS_BUDGET, `anchor #${i + 1} (tree size ${sizes[i]}) used ${gas} gas`);
  }
});
