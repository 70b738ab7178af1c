// npm run deploy: deploys BatchAnchor to CHAIN_RPC_URL and prints, on stdout, the lines a .env needs:
//   CONTRACT_ADDRESS=0x...
//   CHAIN_ID=31337
//   CONTRACT_DEPLOY_BLOCK=1     (the trust document's deployBlock; saves a search at every start)
// The key is the service's own anchoring key (ANCHOR_PRIVATE_KEY, or ANCHOR_KEYSTORE with
// ANCHOR_KEYSTORE_PASSWORD; on a development chain, its public test account), read the same way
// the service reads it. The deployer becomes the admin; ANCHORER_ROLE goes to ANCHORER_ADDRESS,
// or to the deployer. Never prints a key, a password or the full RPC URL.
import { getAddress } from "ethers";
import { anchoringSigner, connectChainRpc } from "../src/chain/connect.ts";
import { deployBatchAnchor } from "../src/chain/deploy.ts";
import { configOrDie, die, firstLine } from "../src/exit.ts";
import { configSecretUrls, scrubberFor } from "../src/verifier/redact.ts";

function anchorerAddress(): string | undefined {
  const raw = process.env["ANCHORER_ADDRESS"]?.trim();
  if (!raw) return undefined;
  try {
    return getAddress(raw);
  } catch {
    return die("deploy: ANCHORER_ADDRESS is not an Ethereum address");
  }
}

const config = configOrDie("deploy: ", { requireContract: false });
if (!config.CHAIN_RPC_URL) die("deploy: CHAIN_RPC_URL is not set");
const anchorer = anchorerAddress();
const scrub = scrubberFor(configSecretUrls(config));
const log = { info: (m: string) => process.stderr.write(`deploy: ${scrub(m)}\n`), warn: (m: string) => process.stderr.write(`deploy: ${scrub(m)}\n`) };

try {
  const provider = await connectChainRpc(config.CHAIN_RPC_URL);
  const { chainId } = await provider.getNetwork();
  try {
    const signer = await anchoringSigner(config, provider, log);
    const admin = await signer.getAddress();
    const deployed = await deployBatchAnchor(signer, { admin, anchorer: anchorer ?? admin });
    process.stdout.write(`CONTRACT_ADDRESS=${deployed.address}\nCHAIN_ID=${chainId}\nCONTRACT_DEPLOY_BLOCK=${deployed.blockNumber}\n`);
    log.info(`BatchAnchor in block ${deployed.blockNumber} (tx ${deployed.deployTx}); admin ${admin}, anchorer ${anchorer ?? admin}`);
  } finally {
    provider.destroy();
  }
} catch (error) {
  // ethers' long messages append the request, which can hold the RPC URL: the short one will do.
  const e = error as { shortMessage?: string; error?: { message?: string } };
  die(`deploy: ${scrub(e.error?.message?.split("\n")[0] ?? e.shortMessage ?? firstLine(error))}`);
}
