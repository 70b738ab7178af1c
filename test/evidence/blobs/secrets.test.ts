// The object store's secret key never leaves the process: a real server on the S3 driver whose
// store refuses (a bucket it does not have), at LOG_LEVEL=debug. Neither its log nor its answers
// carry the secret; the 5xx names nothing internal.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { issueApiKey } from "../../../src/auth/api-keys.ts";
import { openDatabase } from "../../../src/db/connect.ts";
import { migrateToLatest } from "../../../src/db/migrate.ts";
import { createMerchant } from "../../../src/merchants/merchants.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../../support/database.ts";
import { startS3rver } from "../../support/s3rver.ts";
import { spawnServer, startServer } from "../../support/server-process.ts";

t.test("S3_SECRET_ACCESS_KEY is never printed nor answered", async (t) => {
  const s3 = await startS3rver();
  t.teardown(s3.stop);
  const secret = `s3-secret-${randomBytes(16).toString("hex")}`;
  const env: Record<string, string> = { ...s3.env, S3_BUCKET: "no-such-bucket", S3_SECRET_ACCESS_KEY: secret, LOG_LEVEL: "debug", PIPELINE: "off" };
  // The merchant's key is made in the database before the start (PGlite's directory can be opened by one process at a time).
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const pgliteDir = usingPostgres ? null : await mkdtemp(join(tmpdir(), "tracemark-secrets-db-"));
  t.teardown(() => (pgliteDir ? rm(pgliteDir, { recursive: true, force: true }) : undefined));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: pgliteDir! };
  const database = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(database.db);
  const key = await issueApiKey(database.db, { role: "merchant", merchantId: (await createMerchant(database.db, "Secret Shop")).id });
  await database.close();
  Object.assign(env, dbEnv);
  const server = await startServer(env, { readyTimeoutMs: 180_000 });
  t.teardown(() => server.kill("SIGKILL"));
  const form = new FormData();
  form.append("file", new Blob([randomBytes(1000)]), "a.bin");
  const res = await fetch(`${server.url}/v1/evidence/files`, { method: "POST", headers: { authorization: `Bearer ${key.token}` }, body: form });
  const body = await res.text();
  t.equal(res.status, 500, "the store's refusal is the service's fault, not the client's");
  t.notOk(body.includes(secret), "not in the answer");
  t.notOk(/NoSuchBucket|no-such-bucket/.test(body), "the 5xx body hides internals");
  await new Promise((r) => setTimeout(r, 300));
  t.match(server.output(), /object store upload failed: NoSuchBucket/, "the log says what failed");
  t.notOk(server.output().includes(secret), "not in the log");

  // A configuration the driver cannot work with stops the start, naming the variable, not the secret.
  const refused = spawnServer({ ...env, S3_BUCKET: "", S3_ACCESS_KEY_ID: "" });
  t.not(await refused.exited, 0);
  t.match(refused.output(), /S3_BUCKET/);
  t.notOk(refused.output().includes(secret), "not in a start-up failure either");
});
