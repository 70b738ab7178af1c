import { BrowserProvider, HDNodeWallet, Wallet, keccak256, type JsonRpcProvider, type Provider, type Signer } from "ethers";
import { readFile } from "node:fs/promises";
import type { Config } from "../config.ts";
import { batchAnchorArtifact, batchAnchorAt, type BatchAnchorContract } from "./artifact.ts";
import { checkDeployBlock, findDeployBlock } from "./deploy-block.ts";
import { deployBatchAnchor } from "./deploy.ts";
import { connectRpc, redact, RpcUnreachableError } from "../verifier/rpc.ts";

export interface ChainHandle {
  provider: Provider;
  signer: Signer;
  anchorer: string;
  contract: BatchAnchorContract;
  contractAddress: string;
  /** The block that created the contract: the trust document's deployBlock. */
  deployBlock: number;
  chainId: bigint;
  embedded: boolean;
  close(): Promise<void>;
}

export interface ChainLog {
  info(msg: string): void;
  warn(msg: string): void;
}

const HARDHAT_CHAIN_ID = 31337n;

/**
 * Account #0 of the mnemonic that Hardhat (and Anvil) fund on every development chain. The
 * anchorer signs locally so it can store a transaction's hash before broadcasting it; a node's
 * eth_sendTransaction would only tell the hash afterwards.
 */
export function hardhatDevAccount(): HDNodeWallet {
  return HDNodeWallet.fromPhrase("test test test test test test test test test test test junk", undefined, "m/44'/60'/0'/0/0");
}

export async function openChain(config: Config, log: ChainLog): Promise<ChainHandle> {
  return config.CHAIN_RPC_URL ? openJsonRpc(config, config.CHAIN_RPC_URL, log) : openEmbedded(log);
}

/** Hardhat's in-process network (EDR): a fresh chain for this process, with the contract deployed on it. */
async function openEmbedded(log: ChainLog): Promise<ChainHandle> {
  const { network } = await import("hardhat");
  const connection = await network.connect();
  // No response cache: the anchorer needs the chain's answer now (see verifier/rpc.ts).
  const provider = new BrowserProvider(connection.provider, undefined, { cacheTimeout: -1 });
  const signer = hardhatDevAccount().connect(provider);
  const anchorer = await signer.getAddress();
  const deployed = await deployBatchAnchor(signer);
  const { chainId } = await provider.getNetwork();
  log.info(`in-process Hardhat network (chain ${chainId}); BatchAnchor deployed at ${deployed.address}; it is lost at exit`);
  return {
    provider,
    signer,
    anchorer,
    contract: batchAnchorAt(deployed.address, signer),
    contractAddress: deployed.address,
    deployBlock: deployed.blockNumber,
    chainId,
    embedded: true,
    close: async () => {
      provider.destroy();
      await connection.close();
    },
  };
}

async function openJsonRpc(config: Config, url: string, log: ChainLog): Promise<ChainHandle> {
  const provider = await connectChainRpc(url);
  const { chainId } = await provider.getNetwork();
  if (config.CHAIN_ID !== undefined && BigInt(config.CHAIN_ID) !== chainId) {
    provider.destroy();
    throw new Error(`CHAIN_RPC_URL serves chain ${chainId}, but CHAIN_ID is ${config.CHAIN_ID}`);
  }
  const address = config.CONTRACT_ADDRESS as string;
  await assertBatchAnchorAt(provider, address, chainId);
  const deployBlock = await contractDeployBlock(config, provider, address).catch((error: unknown) => {
    provider.destroy();
    throw error;
  });
  const signer = await anchoringSigner(config, provider, log);
  const anchorer = await signer.getAddress();
  log.info(`chain ${chainId} at ${redact(url)}; BatchAnchor at ${address} (deployed in block ${deployBlock}); anchoring from ${anchorer}`);
  return {
    provider,
    signer,
    anchorer,
    contract: batchAnchorAt(address, signer),
    contractAddress: address,
    deployBlock,
    chainId,
    embedded: false,
    close: async () => provider.destroy(),
  };
}

/**
 * The provider for CHAIN_RPC_URL: the verifier's fail-fast connection (one eth_chainId with a
 * timeout, then pinned to that chain), with a message that names the variable.
 */
export async function connectChainRpc(url: string): Promise<JsonRpcProvider> {
  try {
    return await connectRpc(url);
  } catch (error) {
    if (!(error instanceof RpcUnreachableError)) throw error;
    const cause = error.cause instanceof Error ? ((error.cause as { shortMessage?: string }).shortMessage ?? error.cause.message) : String(error.cause);
    throw new Error(`CHAIN_RPC_URL ${redact(url)} does not answer eth_chainId: ${cause.split("\n")[0]}`, { cause: error });
  }
}

/** CONTRACT_DEPLOY_BLOCK when set (checked), else found on the chain. */
async function contractDeployBlock(config: Config, provider: Provider, address: string): Promise<number> {
  if (config.CONTRACT_DEPLOY_BLOCK === undefined) return findDeployBlock(provider, address);
  await checkDeployBlock(provider, address, config.CONTRACT_DEPLOY_BLOCK);
  return config.CONTRACT_DEPLOY_BLOCK;
}

/** The address must hold exactly the BatchAnchor runtime code this build compiled. */
async function assertBatchAnchorAt(provider: Provider, address: string, chainId: bigint): Promise<void> {
  const code = await provider.getCode(address);
  if (code === "0x") throw new Error(`CONTRACT_ADDRESS ${address} has no code on chain ${chainId}`);
  const expected = batchAnchorArtifact().deployedBytecode;
  if (keccak256(code) !== keccak256(expected)) {
    throw new Error(`CONTRACT_ADDRESS ${address} on chain ${chainId} does not hold this build's BatchAnchor code`);
  }
}

/** The anchoring key: ANCHOR_PRIVATE_KEY, ANCHOR_KEYSTORE, or on a development chain its public test account. */
export async function anchoringSigner(config: Config, provider: JsonRpcProvider, log: ChainLog): Promise<Signer> {
  if (config.ANCHOR_PRIVATE_KEY) return new Wallet(config.ANCHOR_PRIVATE_KEY, provider);
  if (config.ANCHOR_KEYSTORE) {
    const json = await readFile(config.ANCHOR_KEYSTORE, "utf8").catch((error: unknown) => {
      throw new Error(`ANCHOR_KEYSTORE cannot be read: ${(error as Error).message}`, { cause: error });
    });
    const wallet = await Wallet.fromEncryptedJson(json, config.ANCHOR_KEYSTORE_PASSWORD ?? "").catch((error: unknown) => {
      throw new Error("ANCHOR_KEYSTORE cannot be decrypted with ANCHOR_KEYSTORE_PASSWORD", { cause: error });
    });
    return wallet.connect(provider);
  }
  // Hardhat's (and Anvil's) development chain: its first account's key is public knowledge.
  const { chainId } = await provider.getNetwork();
  if (chainId !== HARDHAT_CHAIN_ID) {
    throw new Error("no anchoring key: set ANCHOR_PRIVATE_KEY or ANCHOR_KEYSTORE");
  }
  const dev = hardhatDevAccount().connect(provider);
  log.warn(`no ANCHOR_PRIVATE_KEY or ANCHOR_KEYSTORE: anchoring with the development chain's public test account ${dev.address}`);
  return dev;
}
