// The real service as a child process (`node src/server.ts`, the way an operator starts it), so
// the load generator does not share the server's event loop. The bench gets a merchant key on it.
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { startServer } from "../lib/server-process.ts";
import { sleep } from "./support.ts";

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
  // BENCH_SERVER_NODE_ARGS: flags for every server under test, to look inside one (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const extra = process.env["BENCH_SERVER_NODE_ARGS"]?.split(" ").filter(Boolean) ?? [];
  const server = await startServer({ ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env }, { nodeArgs: [...nodeArgs, ...extra] });
  try {
    const admin = databaseUrl ? await adminKeyOn(databaseUrl) : embeddedAdminKey(server.output());
    const token = await merchantKey(server.url, admin);
    return {
      url: server.url,
      pid: server.child.pid!,
      token,
      output: server.output,
      stop: async () => {
        server.kill("SIGTERM");
        await Promise.race([server.exited, sleep(15_000).then(() => server.kill("SIGKILL"))]);
      },
    };
  } catch (error) {
    server.kill("SIGKILL");
    throw error;
  }
}

/** Real mode: the first admin key is issued straight into the database (as admin:create-key does). */
export async function adminKeyOn(databaseUrl: string): Promise<string> {
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
