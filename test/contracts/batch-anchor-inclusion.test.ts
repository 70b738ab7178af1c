// BatchAnchor.verifyInclusion against the reference RFC 9162 tree of test/support/rfc9162.ts:
// every leaf of every tree of 1..64 leaves, and each way a proof can be wrong.
import t from "tap";
import { BrowserProvider, Interface, toBeHex } from "ethers";
import { network } from "hardhat";
import { batchAnchorArtifact } from "../../src/chain/artifact.ts";
import { deployBatchAnchor } from "../../src/chain/deploy.ts";
import { hex, leafHashes, mth, path, pathShape } from "../support/rfc9162.ts";

const MAX_LEAVES = 64;
const UINT256_MAX = 2n ** 256n - 1n;

const connection = await network.create();
t.teardown(() => connection.close());
const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
const deployer = await provider.getSigner(0);
const anchor = (await deployBatchAnchor(deployer)).address;
const iface = new Interface(batchAnchorArtifact().abi);
const verifyInclusion = iface.getFunction("verifyInclusion")!;
const selector = verifyInclusion.selector; // computed on every access otherwise

interface Proof {
  n: number;
  m: number;
  leaf: Buffer;
  path: Buffer[];
  root: Buffer;
}

interface Case {
  what: string;
  args: [leafHash: string, leafIndex: bigint, treeSize: bigint, path: string[], root: string];
}

// Every leaf of every tree of 1..MAX_LEAVES leaves, with its RFC 9162 §2.1.3.1 audit path.
const proofs: Proof[] = [];
for (let n = 1; n <= MAX_LEAVES; n++) {
  const leaves = leafHashes(n, `tree ${n}`);
  const root = mth(leaves);
  for (let m = 0; m < n; m++) proofs.push({ n, m, leaf: leaves[m]!, path: path(m, leaves), root });
}

function flipped(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c[31] = c[31]! ^ 0x01;
  return c;
}

function proofCase(
  p: Proof,
  what: string,
  change: { leaf?: Buffer; index?: bigint; size?: bigint; path?: Buffer[]; root?: Buffer } = {},
): Case {
  return {
    what: `${what} (leaf ${p.m} of ${p.n})`,
    args: [
      hex(change.leaf ?? p.leaf),
      change.index ?? BigInt(p.m),
      change.size ?? BigInt(p.n),
      (change.path ?? p.path).map(hex),
      hex(change.root ?? p.root),
    ],
  };
}

/**
 * verifyInclusion's calldata, ABI-encoded by hand: ethers' general-purpose encoder would take
 * longer than the EVM over the tens of thousands of cases below. Checked against ethers once.
 */
function calldata([leafHash, leafIndex, treeSize, path, root]: Case["args"]): string {
  const word = (v: bigint | number) => toBeHex(v, 32).slice(2);
  return [
    selector,
    leafHash.slice(2),
    word(leafIndex),
    word(treeSize),
    word(5 * 32), // offset of the dynamic `path`, after the five head words
    root.slice(2),
    word(path.length),
    ...path.map((e) => e.slice(2)),
  ].join("");
}

/** The cases whose verifyInclusion result is not `expected`: one plain eth_call each, in parallel. */
async function mismatches(cases: Case[], expected: boolean): Promise<string[]> {
  const results = await Promise.all(
    cases.map(async (c) => {
      const out = await connection.provider.request({
        method: "eth_call",
        params: [{ to: anchor, data: calldata(c.args) }, "latest"],
      });
      return BigInt(out as string) === 1n;
    }),
  );
  return cases.filter((_, i) => results[i] !== expected).map((c) => c.what);
}

t.test("encodes its eth_calls exactly as ethers does", async (t) => {
  for (const p of [proofs[0]!, proofs[proofs.length - 1]!]) {
    const { args } = proofCase(p, "valid proof");
    t.equal(calldata(args), iface.encodeFunctionData(verifyInclusion, args), `leaf ${p.m} of ${p.n}`);
  }
});

t.test(`verifies every leaf of every RFC 9162 tree of 1 to ${MAX_LEAVES} leaves`, async (t) => {
  const cases = proofs.map((p) => proofCase(p, "valid proof"));
  t.equal(cases.length, (MAX_LEAVES * (MAX_LEAVES + 1)) / 2, "one proof per leaf");
  t.same(await mismatches(cases, true), [], `${cases.length} cases`);
});

t.test("rejects a proof presented for a neighbouring or out-of-range leaf index", async (t) => {
  const cases = proofs.flatMap((p) => [
    ...[p.m - 1, p.m + 1]
      .filter((i) => i >= 0 && i < p.n)
      .map((i) => proofCase(p, `index ${i}`, { index: BigInt(i) })),
    ...(p.m === p.n - 1 ? [p.n, p.n + 1].map((i) => proofCase(p, `index ${i}`, { index: BigInt(i) })) : []),
  ]);
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});

t.test("rejects a proof presented with a tree size that gives the leaf a different audit path", async (t) => {
  const cases = proofs.flatMap((p) =>
    [p.n - 1, p.n + 1, 2 * p.n]
      .filter((n) => p.m >= n || pathShape(p.m, n) !== pathShape(p.m, p.n))
      .map((n) => proofCase(p, `size ${n}`, { size: BigInt(n) })),
  );
  t.ok(cases.length > proofs.length, "most leaves get a differently shaped path under some other size");
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});

// RFC 9162 binds the tree size only through the shape of the path and through the root: leaf 0 of
// a 5-leaf tree has the same path as leaf 0 of a 6-leaf tree. That is why a receipt's tree size is
// compared with the one stored on chain for its root, not only passed to verifyInclusion.
t.test("accepts another tree size only where RFC 9162 gives the leaf the same path shape", async (t) => {
  const cases = proofs.flatMap((p) =>
    [p.n - 1, p.n + 1, 2 * p.n]
      .filter((n) => p.m < n && pathShape(p.m, n) === pathShape(p.m, p.n))
      .map((n) => proofCase(p, `size ${n}`, { size: BigInt(n) })),
  );
  t.ok(cases.length > 0, "some leaves keep their path shape under another size");
  t.same(await mismatches(cases, true), [], `${cases.length} cases`);
});

// One altered element per proof, at position leafIndex mod pathLength. Across one tree that reaches
// every position: the 2^k leaves of its left subtree all have the longest path, k+1 <= 2^k elements.
t.test("rejects a proof with an audit path element altered, at every position", async (t) => {
  const cases = proofs
    .filter((p) => p.path.length > 0)
    .map((p) => {
      const i = p.m % p.path.length;
      return proofCase(p, `element ${i} flipped`, { path: p.path.map((e, j) => (j === i ? flipped(e) : e)) });
    });
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});

t.test("rejects an audit path with an element missing or added", async (t) => {
  const cases = proofs.flatMap((p) => [
    ...(p.path.length > 0 ? [proofCase(p, "last element dropped", { path: p.path.slice(0, -1) })] : []),
    proofCase(p, "root appended", { path: [...p.path, p.root] }),
  ]);
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});

t.test("rejects a proof checked against another root or for another leaf hash", async (t) => {
  const cases = proofs.flatMap((p) => [
    proofCase(p, "root altered", { root: flipped(p.root) }),
    proofCase(p, "leaf altered", { leaf: flipped(p.leaf) }),
  ]);
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});

t.test("returns false rather than reverting on an empty tree, huge numbers or an oversized path", async (t) => {
  const p = proofs[0]!;
  const cases = [
    proofCase(p, "tree size 0", { size: 0n }),
    proofCase(p, "index 2^256-1", { index: UINT256_MAX }),
    proofCase(p, "size 2^256-1", { size: UINT256_MAX }),
    proofCase(p, "index and size 2^256-1", { index: UINT256_MAX, size: UINT256_MAX }),
    proofCase(p, "300 path elements", { path: Array.from({ length: 300 }, () => p.leaf) }),
  ];
  t.same(await mismatches(cases, false), [], `${cases.length} cases`);
});
