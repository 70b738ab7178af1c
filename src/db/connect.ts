import { Kysely, PGliteDialect, PostgresDialect } from "kysely";
import pg from "pg";
import type { Config } from "../config.ts";
import type { Database, Db } from "./database.ts";
import { prepareMarkedStatements } from "./prepared.ts";

export interface DatabaseHandle {
  db: Db;
  kind: "postgresql" | "pglite";
  /** True when the data lives only in this process's memory. */
  ephemeral: boolean;
  /** A dedicated connection for session-level advisory locks; null on PGlite (one process). */
  openLockClient: (() => Promise<pg.Client>) | null;
  close(): Promise<void>;
}

// int8 (bigserial ids, block numbers, chain ids) arrives as a string from node-postgres; the
// repositories convert it where they read it rather than losing precision globally here.

export async function openDatabase(config: Config): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  return openPglite(config.PGLITE_DATA_DIR);
}

async function openPostgres(url: string, max: number): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 10_000 });
  // An idle client that loses its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  prepareMarkedStatements(pool);
  const client = await pool.connect().catch((error: unknown) => {
    void pool.end();
    throw new Error(`cannot connect to PostgreSQL: ${describePgError(error)}`, { cause: error });
  });
  client.release();
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: "postgresql",
    ephemeral: false,
    openLockClient: async () => {
      const lockClient = new pg.Client({ connectionString: url });
      lockClient.on("error", () => {});
      await lockClient.connect();
      return lockClient;
    },
    close: () => db.destroy(),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  const { PGlite } = await import("@electric-sql/pglite");
  const pglite = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return { db, kind: "pglite", ephemeral: !dataDir, openLockClient: null, close: () => db.destroy() };
}

function describePgError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    return code ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
