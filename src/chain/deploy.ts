import { ContractFactory } from "ethers";
import type { Signer } from "ethers";
import { batchAnchorArtifact } from "./artifact.ts";

export interface DeployOptions {
  /** Holder of DEFAULT_ADMIN_ROLE; defaults to the deploying signer. */
  admin?: string;
  /** Holder of ANCHORER_ROLE; defaults to the deploying signer. */
  anchorer?: string;
}

export interface DeployedBatchAnchor {
  address: string;
  deployTx: string;
  blockNumber: number;
}

/** Deploys BatchAnchor from `signer` and waits for the deployment to be mined (1 confirmation). */
export async function deployBatchAnchor(
  signer: Signer,
  opts: DeployOptions = {},
): Promise<DeployedBatchAnchor> {
  const { abi, bytecode } = batchAnchorArtifact();
  const self = await signer.getAddress();
  const factory = new ContractFactory(abi, bytecode, signer);
  const contract = await factory.deploy(opts.admin ?? self, opts.anchorer ?? self);
  const tx = contract.deploymentTransaction();
  if (tx === null) throw new Error("BatchAnchor deployment returned no transaction");
  const receipt = await tx.wait(1);
  if (receipt === null || receipt.status !== 1 || receipt.contractAddress === null) {
    throw new Error(`BatchAnchor deployment ${tx.hash} failed`);
  }
  return { address: receipt.contractAddress, deployTx: tx.hash, blockNumber: receipt.blockNumber };
}
