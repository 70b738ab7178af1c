// A real service for the page tests: PostgreSQL (or PGlite on disk), a `hardhat node` over
// JSON-RPC that browsers ask directly (PUBLIC_RPC_URL), and the demo story seeded through the
// service's own routes (src/demo): a sold lot whose items travelled, and a recalled lot.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TraceViewT } from "../../src/schemas/epcis.ts";
import { createTestDatabase } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { startServer, type ServerProcess } from "../support/server-process.ts";

export interface DemoService {
  server: ServerProcess;
  rpcUrl: string;
  /** postgres:// URL of the service's database, or undefined on PGlite. */
  databaseUrl: string | undefined;
  /** The demo's resolver URLs: product, lots, then items (sold lot first, recalled lot last). */
  urls: string[];
  /** The item URLs of the sold and the recalled lot. */
  soldItems: string[];
  recalledItems: string[];
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The demo service's cache age for histories (TRACE_CACHE_MAX_AGE_MS): short, so a test can outwait it. */
export const TRACE_CACHE_MAX_AGE_MS = 2_000;

export async function startDemoService(): Promise<DemoService> {
  const node = await startHardhatNode();
  const deployed = await deployWithScriptPrinting(node.url);
  const database = await createTestDatabase();
  const work = await mkdtemp(join(tmpdir(), "tracemark-pages-"));
  const dbEnv: Record<string, string> = database.url ? { DATABASE_URL: database.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
  const server = await startServer(
    { ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: deployed.address, PUBLIC_RPC_URL: node.url, TRACEMARK_DEMO: "1", BATCH_INTERVAL_MS: "200", PUBLIC_RATE_LIMIT: "100000", LOG_LEVEL: "warn", TRACE_CACHE_MAX_AGE_MS: String(TRACE_CACHE_MAX_AGE_MS) },
    { readyTimeoutMs: 120_000 },
  );
  const close = async () => {
    server.kill("SIGTERM");
    await server.exited;
    await node.stop();
    await database.drop();
    await rm(work, { recursive: true, force: true });
  };
  try {
    for (let waited = 0; !/Demo resolver URLs[\s\S]*\n\n/.test(server.output()); waited += 100) {
      if (waited > 120_000) throw new Error(`no demo URLs printed:\n${server.output()}`);
      await sleep(100);
    }
    const urls = /Demo resolver URLs \(product, lots, items\):\n([\s\S]*?)\n\n/.exec(server.output())![1]!.split("\n");
    const items = urls.filter((u) => u.includes("/21/"));
    const recalledItems = items.slice(-2);
    const service = { server, rpcUrl: node.url, databaseUrl: database.url, urls, soldItems: items.slice(0, -2), recalledItems, close };
    for (const url of [...service.soldItems, ...recalledItems]) await untilAnchored(server.url, url);
    return service;
  } catch (error) {
    await close();
    throw error;
  }
}

/** Waits until every record of the item's history is anchored on the chain. */
export async function untilAnchored(serverUrl: string, uri: string, timeoutMs = 60_000): Promise<TraceViewT> {
  for (const started = Date.now(); ; await sleep(200)) {
    const view = (await (await fetch(`${serverUrl}/v1/trace?uri=${encodeURIComponent(uri)}`)).json()) as TraceViewT;
    if (view.timeline.length > 0 && view.timeline.every((e) => e.status === "anchored" || e.status === "final")) return view;
    if (Date.now() - started > timeoutMs) throw new Error(`${uri} not anchored in ${timeoutMs} ms: ${view.timeline.map((e) => e.status).join(", ")}`);
  }
}
