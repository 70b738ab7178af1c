// Runs the README's deploy step (`node scripts/deploy.ts`) against a JSON-RPC URL.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export async function deployWithScript(rpcUrl: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ["scripts/deploy.ts"], {
    cwd: REPO_ROOT,
    env: { PATH: process.env["PATH"] ?? "", CHAIN_RPC_URL: rpcUrl, ...env },
  });
  const address = /^CONTRACT_ADDRESS=(0x[0-9a-fA-F]{40})$/m.exec(stdout)?.[1];
  if (!address) throw new Error(`deploy printed no CONTRACT_ADDRESS:\n${stdout}`);
  return address;
}
