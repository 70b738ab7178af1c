// Deploys BatchAnchor to CHAIN_RPC_URL and prints, on stdout, the lines a .env needs:
//   CONTRACT_ADDRESS=0x...
//   CHAIN_ID=31337
// The deploying key comes from ANCHOR_PRIVATE_KEY (hex), or from ANCHOR_KEYSTORE (an encrypted
// JSON keystore) with ANCHOR_KEYSTORE_PASSWORD; with neither, a dev node's unlocked account 0.
// The deployer becomes the admin; ANCHORER_ROLE goes to ANCHORER_ADDRESS, or to the deployer.
// Never prints a key, a password or the full RPC URL (hosted RPC URLs often embed an API key).
import { readFile } from "node:fs/promises";
import { JsonRpcProvider, Network, Wallet, getAddress } from "ethers";
import type { Signer } from "ethers";
import { deployBatchAnchor } from "../src/chain/deploy.ts";

const RPC_TIMEOUT_MS = 10_000;

/** A failure worth one line on stderr, with no stack. */
class Usage extends Error {}

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}

function rpcUrl(): URL {
  const raw = env("CHAIN_RPC_URL");
  if (raw === undefined) throw new Usage("CHAIN_RPC_URL is not set");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Usage("CHAIN_RPC_URL is not a URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Usage(`CHAIN_RPC_URL must be http(s), not ${url.protocol}`);
  }
  return url;
}

// Asked once, with a timeout, before ethers gets the URL: a JsonRpcProvider that cannot reach its
// node retries forever, logging every second, instead of failing.
async function chainId(url: URL): Promise<bigint> {
  let body: { result?: unknown; error?: { message?: unknown } };
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
    if (!res.ok) throw new Usage(`HTTP ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (err) {
    const why = err instanceof Usage ? err.message : (err as Error).cause instanceof Error
      ? ((err as Error).cause as Error).message
      : (err as Error).message;
    throw new Usage(`no JSON-RPC node answers at ${url.origin}: ${why}`);
  }
  if (typeof body.result !== "string") {
    throw new Usage(`${url.origin} did not answer eth_chainId: ${String(body.error?.message ?? "no result")}`);
  }
  return BigInt(body.result);
}

async function deployer(provider: JsonRpcProvider, url: URL): Promise<Signer> {
  const key = env("ANCHOR_PRIVATE_KEY");
  const keystore = env("ANCHOR_KEYSTORE");
  if (key !== undefined && keystore !== undefined) {
    throw new Usage("set ANCHOR_PRIVATE_KEY or ANCHOR_KEYSTORE, not both");
  }
  if (key !== undefined) {
    try {
      return new Wallet(key.startsWith("0x") ? key : `0x${key}`, provider);
    } catch {
      throw new Usage("ANCHOR_PRIVATE_KEY is not a 32-byte hex private key");
    }
  }
  if (keystore !== undefined) {
    const password = process.env["ANCHOR_KEYSTORE_PASSWORD"];
    if (password === undefined) throw new Usage("ANCHOR_KEYSTORE is set but ANCHOR_KEYSTORE_PASSWORD is not");
    let json: string;
    try {
      json = await readFile(keystore, "utf8");
    } catch (err) {
      throw new Usage(`cannot read ANCHOR_KEYSTORE ${keystore}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
    }
    try {
      return (await Wallet.fromEncryptedJson(json, password)).connect(provider);
    } catch {
      throw new Usage(`cannot decrypt ANCHOR_KEYSTORE ${keystore} with ANCHOR_KEYSTORE_PASSWORD`);
    }
  }
  const accounts = await provider.listAccounts();
  if (accounts.length === 0) {
    throw new Usage(`set ANCHOR_PRIVATE_KEY or ANCHOR_KEYSTORE: the node at ${url.origin} has no unlocked accounts`);
  }
  return accounts[0]!;
}

function anchorerAddress(): string | undefined {
  const raw = env("ANCHORER_ADDRESS");
  if (raw === undefined) return undefined;
  try {
    return getAddress(raw);
  } catch {
    throw new Usage("ANCHORER_ADDRESS is not an Ethereum address");
  }
}

async function main(): Promise<void> {
  const url = rpcUrl();
  const anchorer = anchorerAddress();
  const id = await chainId(url);
  const network = Network.from(id);
  const provider = new JsonRpcProvider(url.href, network, { staticNetwork: network });
  try {
    const signer = await deployer(provider, url);
    const admin = await signer.getAddress();
    const deployed = await deployBatchAnchor(signer, { admin, anchorer: anchorer ?? admin });
    process.stdout.write(`CONTRACT_ADDRESS=${deployed.address}\nCHAIN_ID=${id}\n`);
    process.stderr.write(
      `deploy: BatchAnchor in block ${deployed.blockNumber} (tx ${deployed.deployTx}); ` +
        `admin ${admin}, anchorer ${anchorer ?? admin}\n`,
    );
  } finally {
    provider.destroy();
  }
}

// ethers' full messages append the request, which can hold the RPC URL: use its short message, or
// the node's own error message when ethers could not classify it.
function oneLine(err: unknown): string {
  if (err instanceof Usage) return err.message;
  const e = err as { shortMessage?: unknown; error?: { message?: unknown } };
  if (typeof e.error?.message === "string") return e.error.message.split("\n")[0]!;
  if (typeof e.shortMessage === "string") return e.shortMessage;
  return err instanceof Error ? err.message.split("\n")[0]! : String(err);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`deploy: ${oneLine(err)}\n`);
  process.exitCode = 1;
}
