// The real service as a child process (`node src/server.ts`, the way an operator starts it), so
// the load generator does not share the server's event loop. The bench gets a merchant key on it.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { freeLoopbackPort, sleep } from "./support.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const READY_TIMEOUT_MS = 60_000;

export interface BenchServer {
  url: string;
  pid: number;
  /** A merchant's API key on this server. */
  token: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the server on DATABASE_URL `databaseUrl` (or, without one, on its own in-memory PGlite),
 * with the in-process chain and the given extra environment, and waits for /readyz.
 */
export async function startBenchServer(databaseUrl: string | undefined, env: Record<string, string>, nodeArgs: string[] = []): Promise<BenchServer> {
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [...nodeArgs, "src/server.ts"], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "/tmp",
      HOST: "127.0.0.1",
      PORT: String(port),
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-100_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killAtExit = () => child.kill("SIGKILL");
  process.once("exit", killAtExit);

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, () => output);
    const admin = databaseUrl ? await adminKeyOn(databaseUrl) : embeddedAdminKey(output);
    const token = await merchantKey(url, admin);
    return {
      url,
      pid: child.pid!,
      token,
      output: () => output,
      stop: async () => {
        child.kill("SIGTERM");
        await Promise.race([exited, sleep(15_000).then(() => child.kill("SIGKILL"))]);
        process.off("exit", killAtExit);
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    process.off("exit", killAtExit);
    throw error;
  }
}

async function waitReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited before it was ready:\n${output()}`);
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status === 200).catch(() => false);
    if (ready) return;
    await sleep(100);
  }
  throw new Error(`the server was not ready in ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** Real mode: the first admin key is issued straight into the database (as admin:create-key does). */
async function adminKeyOn(databaseUrl: string): Promise<string> {
  const database = await openDatabase(loadConfig({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: "1" }));
  try {
    return (await issueApiKey(database.db, { role: "admin", label: "bench" })).token;
  } finally {
    await database.close();
  }
}

/** Embedded mode prints its first admin key once on stdout. */
function embeddedAdminKey(output: string): string {
  const token = /first admin API key[^\n]*\n\s*(tmk_\S+)/.exec(output)?.[1];
  if (!token) throw new Error(`the embedded server printed no admin key:\n${output}`);
  return token;
}

async function merchantKey(url: string, adminToken: string): Promise<string> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id?: string; token?: string };
  };
  const merchant = await post("/v1/admin/merchants", { name: "Bench Live Shop" });
  const key = await post("/v1/admin/keys", { role: "merchant", merchantId: merchant.id, label: "bench" });
  return key.token as string;
}
