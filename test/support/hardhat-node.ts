// Starts a real `hardhat node` (Hardhat 3) on a free loopback port, for tests whose behaviour
// depends on a JSON-RPC chain in another process rather than the in-process network.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { JsonRpcProvider } from "ethers";
import type { JsonRpcSigner } from "ethers";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

export interface HardhatNode {
  url: string;
  stop(): Promise<void>;
}

export { freeLoopbackPort } from "../../scripts/lib/loopback.ts";
import { freeLoopbackPort } from "../../scripts/lib/loopback.ts";

async function answersChainId(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await res.json()) as { result?: unknown };
    return typeof body.result === "string";
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Spawns `npx hardhat node --hostname 127.0.0.1 --port <free port>` in its own process group and
 * resolves once it answers `eth_chainId`. stop() signals the whole group (npx, hardhat and
 * anything they started), SIGTERM first and SIGKILL if it lingers.
 */
export async function startHardhatNode(): Promise<HardhatNode> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("npx", ["hardhat", "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  let exited: string | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      exited = `exited with ${signal ?? `code ${code}`}`;
      resolve();
    });
  });
  child.once("error", (err) => {
    exited = `could not be started: ${err.message}`;
  });

  // The group id is the child's pid (detached: true). npx may exit before the hardhat process it
  // started, so stop() watches the group, not the child.
  const pgid = child.pid;
  const groupAlive = () => {
    if (pgid === undefined) return false;
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, signal);
    } catch {
      // the group is already gone
    }
  };
  // Should the test process end without calling stop(), the detached node must not outlive it.
  const killAtExit = () => signalGroup("SIGKILL");
  process.once("exit", killAtExit);
  const stop = async () => {
    process.off("exit", killAtExit);
    signalGroup("SIGTERM");
    const deadline = Date.now() + STOP_GRACE_MS;
    while (groupAlive() && Date.now() < deadline) await sleep(50);
    if (groupAlive()) signalGroup("SIGKILL");
    await Promise.race([exit, sleep(1_000)]);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answersChainId(url))) {
    if (exited !== null || Date.now() > deadline) {
      const why = exited !== null
        ? `hardhat node ${exited}`
        : `hardhat node did not answer within ${READY_TIMEOUT_MS / 1000} s`;
      await stop();
      throw new Error(`${why} (${url})\n--- stderr ---\n${stderr.trim()}`);
    }
    await sleep(250);
  }
  return { url, stop };
}

/** Unlocked account `index` of a Hardhat node, through a JSON-RPC provider. */
export async function hardhatSigner(url: string, index = 0): Promise<JsonRpcSigner> {
  // cacheTimeout -1: see test/contracts/batch-anchor.test.ts; a test expects each call to hit the node.
  return new JsonRpcProvider(url, undefined, { cacheTimeout: -1 }).getSigner(index);
}
