// Opens what the service runs on — database (migrated) and chain — in the order that lets each
// failure say one clear thing. Used by the server and by tests that want the real thing.
import { openChain, type ChainHandle, type ChainLog } from "./chain/connect.ts";
import type { Config } from "./config.ts";
import { openDatabase, type DatabaseHandle } from "./db/connect.ts";
import { migrateToLatest } from "./db/migrate.ts";

export interface Runtime {
  database: DatabaseHandle;
  chain: ChainHandle;
  close(): Promise<void>;
}

export async function openRuntime(config: Config, log: ChainLog): Promise<Runtime> {
  const database = await openDatabase(config);
  let chain: ChainHandle;
  try {
    for (const line of await migrateToLatest(database.db)) log.info(`database: ${line}`);
    chain = await openChain(config, log);
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  return {
    database,
    chain,
    close: async () => {
      await chain.close().catch(() => {});
      await database.close();
    },
  };
}
