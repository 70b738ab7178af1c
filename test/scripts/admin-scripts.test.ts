// The operator's commands for real mode: migrations and the first admin key.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { principalForToken } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { createTestDatabase, testConfig } from "../support/database.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const run = (script: string, args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, [script, ...args], { cwd: ROOT, env: { PATH: process.env["PATH"] ?? "", ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

t.test("migrate and admin:create-key against a persistent database", async (t) => {
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const dir = await mkdtemp(join(tmpdir(), "tracemark-scripts-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const env: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(dir, "db") };

  const up = await run("scripts/migrate.ts", [], env);
  t.equal(up.code, 0, up.stderr);
  t.match(up.stdout, /applied 001_foundation\napplied 002_records\napplied 003_subjects/);
  t.match((await run("scripts/migrate.ts", [], env)).stdout, /up to date/, "a second run does nothing");
  t.match((await run("scripts/migrate.ts", ["down"], env)).stdout, /reverted \d{3}_[a-z_]+/, "down reverts the newest migration");
  t.match((await run("scripts/migrate.ts", ["sideways"], env)).stderr, /usage: npm run migrate/);

  const created = await run("scripts/create-admin-key.ts", ["ops on-call"], env);
  t.equal(created.code, 0, created.stderr);
  const token = created.stdout.trim();
  // A boolean, so that a failure does not print the key into the test log.
  t.ok(/^tmk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/.test(token), "prints only the token on stdout");
  const handle = await openDatabase(testConfig(env));
  t.teardown(() => handle.close());
  t.same((await principalForToken(handle.db, token))?.role, "admin", "the key works");
});

t.test("the scripts refuse an in-memory database and a bad DATABASE_URL with one line", async (t) => {
  const memory = await run("scripts/create-admin-key.ts", [], {});
  t.equal(memory.code, 1);
  t.match(memory.stderr, /set DATABASE_URL/);
  const bad = await run("scripts/migrate.ts", [], { DATABASE_URL: "postgres://postgres@127.0.0.1:9/none" });
  t.equal(bad.code, 1);
  t.equal(bad.stderr.trim().split("\n").length, 1);
  t.match(bad.stderr, /cannot connect to PostgreSQL/);
});

t.test("deploy exits with one line when the RPC does not answer, and never echoes a key", async (t) => {
  const res = await run("scripts/deploy.ts", [], { CHAIN_RPC_URL: "http://127.0.0.1:9", ANCHOR_PRIVATE_KEY: "11".repeat(32) });
  t.equal(res.code, 1);
  t.equal(res.stderr.trim().split("\n").length, 1);
  t.match(res.stderr, /does not answer eth_chainId/);
  t.notMatch(res.stderr + res.stdout, "11".repeat(32));
  t.equal((await run("scripts/deploy.ts", [], {})).stderr.trim(), "deploy: CHAIN_RPC_URL is not set");
});
