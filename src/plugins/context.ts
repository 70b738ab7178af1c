import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { ChainHandle } from "../chain/connect.ts";
import type { Config } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { DatabaseHandle } from "../db/connect.ts";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    db: Db;
    database: DatabaseHandle;
    chain: ChainHandle;
  }
}

export interface AppContext {
  config: Config;
  database: DatabaseHandle;
  chain: ChainHandle;
}

// The database and chain are opened by the caller (the server, or a test) and handed in, so a
// test builds the app with its own; closing them stays with whoever opened them.
async function contextPlugin(app: FastifyInstance, context: AppContext): Promise<void> {
  app.decorate("config", context.config);
  app.decorate("database", context.database);
  app.decorate("db", context.database.db);
  app.decorate("chain", context.chain);
}

export default fp(contextPlugin, { name: "tracemark-context" });
