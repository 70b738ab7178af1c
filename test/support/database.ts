// Each test file gets a database of its own: a fresh PostgreSQL database on the server named by
// DATABASE_URL (CI), or an in-memory PGlite when DATABASE_URL is not set.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { loadConfig, type Config } from "../../src/config.ts";
import { openDatabase, type DatabaseHandle } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";

export const usingPostgres = Boolean(process.env["DATABASE_URL"]);

export interface TestDatabase {
  /** postgres:// URL of the fresh database, or undefined on PGlite. */
  url: string | undefined;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env["DATABASE_URL"];
  if (!serverUrl) return { url: undefined, drop: async () => {} };
  const name = `tracemark_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/** A config for tests: defaults, plus the test database, plus overrides. */
export function testConfig(overrides: Record<string, string | undefined> = {}, databaseUrl?: string): Config {
  return loadConfig({ LOG_LEVEL: "silent", ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...overrides });
}

/** An open, migrated database for one test file; closed and dropped by the returned teardown. */
export async function openTestDatabase(overrides: Record<string, string> = {}): Promise<{ handle: DatabaseHandle; config: Config; url: string | undefined; teardown(): Promise<void> }> {
  const testDb = await createTestDatabase();
  const config = testConfig(overrides, testDb.url);
  const handle = await openDatabase(config);
  await migrateToLatest(handle.db);
  return {
    handle,
    config,
    url: testDb.url,
    teardown: async () => {
      await handle.close();
      await testDb.drop();
    },
  };
}
