// Builds the real app for a test: a test database (PostgreSQL in CI) and the in-process Hardhat
// chain with BatchAnchor deployed, driven with `inject` rather than a port.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { buildApp } from "../../src/app.ts";
import { issueApiKey, type IssuedKey } from "../../src/auth/api-keys.ts";
import { openChain, type ChainHandle } from "../../src/chain/connect.ts";
import type { Config } from "../../src/config.ts";
import type { DatabaseHandle } from "../../src/db/connect.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { openTestDatabase } from "./database.ts";

export interface TestApp {
  app: FastifyInstance;
  config: Config;
  database: DatabaseHandle;
  chain: ChainHandle;
  admin: IssuedKey;
  close(): Promise<void>;
}

const quiet = { info: () => {}, warn: () => {} };

export async function buildTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  // Evidence files go to a directory of the test's own, removed with it (unless the test names one).
  const evidenceDir = overrides["EVIDENCE_DIR"] === undefined ? await mkdtemp(join(tmpdir(), "tracemark-test-evidence-")) : null;
  const { handle, config, teardown } = await openTestDatabase({ ...(evidenceDir ? { EVIDENCE_DIR: evidenceDir } : {}), ...overrides });
  const chain = await openChain(config, quiet);
  const app = await buildApp({ config, database: handle, chain });
  await app.ready();
  const admin = await issueApiKey(handle.db, { role: "admin", label: "test admin" });
  return {
    app,
    config,
    database: handle,
    chain,
    admin,
    close: async () => {
      await app.close();
      await chain.close();
      await teardown();
      if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
    },
  };
}

export const bearer = (key: { token: string }) => ({ authorization: `Bearer ${key.token}` });

/** A merchant with a key of its own. */
export async function merchantKey(database: DatabaseHandle, name = "Acme Live"): Promise<IssuedKey> {
  const merchant = await createMerchant(database.db, name);
  return issueApiKey(database.db, { role: "merchant", merchantId: merchant.id });
}
