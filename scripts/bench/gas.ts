// Gas of BatchAnchor.anchor(root, treeSize), the one transaction a batch costs on chain. Each
// batch is a real one: records are turned into envelopes, hashed, salted and leaf-hashed as the
// server does (DESIGN.md spec v1), built into the RFC 9162 tree, and its root anchored on a
// freshly deployed contract. The first anchor is included, so a cold contract is measured too.
import { randomBytes } from "node:crypto";
import type { ChainHandle } from "../../src/chain/connect.ts";
import { buildTree, contentHashOfJson, leafHashBytes, recordHash, type Envelope, type JsonValue } from "../../src/merkle/index.ts";
import { sampleRecord } from "./support.ts";

export interface GasRow {
  batchSize: number;
  gasUsed: bigint;
  gasPerRecord: number;
  blockNumber: number;
}

function realLeafHashes(size: number): Buffer[] {
  const submittedAt = new Date().toISOString();
  const salts = randomBytes(32 * size);
  const leaves = new Array<Buffer>(size);
  for (let i = 0; i < size; i++) {
    const input = sampleRecord(i);
    const envelope: Envelope = {
      v: 1,
      kind: input.kind,
      subject: input.subject,
      contentHash: contentHashOfJson(input.payload as JsonValue),
      mediaType: "application/json",
      submitter: "merchant:bench",
      submittedAt,
      prev: null,
    };
    leaves[i] = leafHashBytes(salts.subarray(32 * i, 32 * i + 32), Buffer.from(recordHash(envelope), "hex"));
  }
  return leaves;
}

export async function benchGas(chain: ChainHandle, sizes: readonly number[] = [1, 100, 1_000, 10_000]): Promise<GasRow[]> {
  const rows: GasRow[] = [];
  for (const batchSize of sizes) {
    const tree = buildTree(realLeafHashes(batchSize));
    const tx = await chain.contract.anchor(`0x${tree.root.toString("hex")}`, tree.size);
    const receipt = await tx.wait(1);
    if (!receipt || receipt.status !== 1) throw new Error(`anchor of a ${batchSize}-record batch failed (${tx.hash})`);
    rows.push({ batchSize, gasUsed: receipt.gasUsed, gasPerRecord: Number(receipt.gasUsed) / batchSize, blockNumber: receipt.blockNumber });
  }
  return rows;
}
