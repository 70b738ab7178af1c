// Runs the README's deploy step (`node scripts/deploy.ts`) against a JSON-RPC URL.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function deployWithScript(rpcUrl: string, env: Record<string, string> = {}): Promise<string> {
  return (await deployWithScriptPrinting(rpcUrl, env)).address;
}

/** The three lines `npm run deploy` prints: CONTRACT_ADDRESS, CHAIN_ID and CONTRACT_DEPLOY_BLOCK. */
export async function deployWithScriptPrinting(rpcUrl: string, env: Record<string, string> = {}): Promise<{ address: string; chainId: number; deployBlock: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/deploy.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", CHAIN_RPC_URL: rpcUrl, ...env },
  });
  const address = /^CONTRACT_ADDRESS=(0x[0-9a-fA-F]{40})$/m.exec(stdout)?.[1];
  const chainId = /^CHAIN_ID=(\d+)$/m.exec(stdout)?.[1];
  const deployBlock = /^CONTRACT_DEPLOY_BLOCK=(\d+)$/m.exec(stdout)?.[1];
  if (!address || !chainId || !deployBlock) throw new Error(`deploy did not print CONTRACT_ADDRESS, CHAIN_ID and CONTRACT_DEPLOY_BLOCK:\n${stdout}`);
  return { address, chainId: Number(chainId), deployBlock: Number(deployBlock) };
}
