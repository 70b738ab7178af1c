// Shared by the pipeline tests: a test database plus the in-process chain, and a quick way to
// put records in as the API would.
import type { Principal } from "../../src/auth/api-keys.ts";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openChain, type ChainHandle } from "../../src/chain/connect.ts";
import type { Config } from "../../src/config.ts";
import type { DatabaseHandle } from "../../src/db/connect.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";
import { notarize } from "../../src/records/notarize.ts";
import { openTestDatabase } from "./database.ts";

export const silentLog = { info: () => {}, warn: () => {} };

export interface PipelineHarness {
  config: Config;
  database: DatabaseHandle;
  chain: ChainHandle;
  principal: Principal;
  accept(n: number, subject?: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function pipelineHarness(): Promise<PipelineHarness> {
  const { handle, config, teardown } = await openTestDatabase();
  const chain = await openChain(config, silentLog);
  const merchant = await createMerchant(handle.db, "Pipeline Shop");
  const principal = await issueApiKey(handle.db, { role: "merchant", merchantId: merchant.id });
  return {
    config,
    database: handle,
    chain,
    principal,
    accept: async (n, subject = "item:1") =>
      (await notarize(handle.db, principal, Array.from({ length: n }, (_, i) => ({ kind: "evidence.chat", subject, payload: { i, at: Math.random() } })), { field: (i, f) => `records[${i}].${f}` })).ids,
    close: async () => {
      await chain.close();
      await teardown();
    },
  };
}
