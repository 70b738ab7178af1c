import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Contract } from "ethers";
import type {
  BaseContract,
  BaseContractMethod,
  ContractRunner,
  ContractTransactionResponse,
  InterfaceAbi,
} from "ethers";

/** The compiled contract as Hardhat writes it; the fields a deployer or a code check needs. */
export interface BatchAnchorArtifact {
  readonly abi: InterfaceAbi;
  readonly bytecode: string;
  /**
   * Runtime code, to check that an address holds exactly this build's contract (eth_getCode
   * returns it unchanged: BatchAnchor has no immutables).
   */
  readonly deployedBytecode: string;
}

/** IBatchAnchor.Anchor as ethers decodes it (a Result with these named fields). */
export interface OnChainAnchor {
  readonly seq: bigint;
  readonly treeSize: bigint;
  readonly blockNumber: bigint;
  readonly timestamp: bigint;
}

/** BatchAnchor's functions with their argument and result types, over a plain ethers Contract. */
export type BatchAnchorContract = BaseContract & {
  ANCHORER_ROLE: BaseContractMethod<[], string, string>;
  DEFAULT_ADMIN_ROLE: BaseContractMethod<[], string, string>;
  anchor: BaseContractMethod<[root: string, treeSize: bigint | number], bigint, ContractTransactionResponse>;
  anchorOf: BaseContractMethod<[root: string], OnChainAnchor, OnChainAnchor>;
  anchorCount: BaseContractMethod<[], bigint, bigint>;
  verifyInclusion: BaseContractMethod<
    [leafHash: string, leafIndex: bigint | number, treeSize: bigint | number, path: string[], root: string],
    boolean,
    boolean
  >;
  hasRole: BaseContractMethod<[role: string, account: string], boolean, boolean>;
  grantRole: BaseContractMethod<[role: string, account: string], void, ContractTransactionResponse>;
  revokeRole: BaseContractMethod<[role: string, account: string], void, ContractTransactionResponse>;
};

// Resolved from this file rather than the working directory, so scripts and tests started from
// anywhere find the repository's artifacts/ folder.
const ARTIFACT_PATH = fileURLToPath(
  new URL("../../artifacts/contracts/BatchAnchor.sol/BatchAnchor.json", import.meta.url),
);

let cached: BatchAnchorArtifact | undefined;

/** The ABI, creation and runtime code of BatchAnchor, read once from Hardhat's build output. */
export function batchAnchorArtifact(): BatchAnchorArtifact {
  if (cached !== undefined) return cached;
  if (!existsSync(ARTIFACT_PATH)) {
    throw new Error(
      `BatchAnchor artifact not found at ${ARTIFACT_PATH}: run \`npm run build:contracts\` first`,
    );
  }
  const json = JSON.parse(readFileSync(ARTIFACT_PATH, "utf8")) as Partial<BatchAnchorArtifact>;
  const { abi, bytecode, deployedBytecode } = json;
  if (!Array.isArray(abi) || !isCode(bytecode) || !isCode(deployedBytecode)) {
    throw new Error(
      `BatchAnchor artifact at ${ARTIFACT_PATH} has no abi or bytecode: run \`npm run build:contracts\` again`,
    );
  }
  cached = Object.freeze({ abi, bytecode, deployedBytecode });
  return cached;
}

function isCode(value: unknown): value is string {
  return typeof value === "string" && value.startsWith("0x") && value.length > 2;
}

/** A typed handle on the BatchAnchor deployed at `address`. */
export function batchAnchorAt(address: string, runner: ContractRunner): BatchAnchorContract {
  return new Contract(address, batchAnchorArtifact().abi, runner) as unknown as BatchAnchorContract;
}
