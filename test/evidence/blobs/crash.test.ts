// A Tracemark process killed with SIGKILL in the middle of a 500 MB evidence upload, for each
// blob driver: after the restart no partial file is under a final name, no record or row names
// the upload, what the interrupted put left is swept, and uploading the same bytes again works.
// The bytes come from a seeded stream (test/support/seeded-bytes.ts), never held whole.
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import t, { type Test } from "tap";
import { issueApiKey } from "../../../src/auth/api-keys.ts";
import { openDatabase } from "../../../src/db/connect.ts";
import type { Db } from "../../../src/db/database.ts";
import { migrateToLatest } from "../../../src/db/migrate.ts";
import { createMerchant } from "../../../src/merchants/merchants.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../../support/database.ts";
import { BOUNDARY, multipartType } from "../../support/multipart.ts";
import { startS3rver, S3RVER_SECRET } from "../../support/s3rver.ts";
import { seededBytes, seededSha256 } from "../../support/seeded-bytes.ts";
import { startServer, type ServerProcess } from "../../support/server-process.ts";

const MB = 1_000_000;
const UPLOAD_BYTES = Number(process.env["CRASH_UPLOAD_MB"] ?? 500) * MB;
/** Kill once the client has sent this much (the server holds a growing temporary copy by then). */
const KILL_AFTER_BYTES = Math.floor(UPLOAD_BYTES * 0.4);
const SEED = 500;

/** The multipart form around seededBytes(SEED, UPLOAD_BYTES), generated as it is sent; `sent` counts the file's bytes. */
async function* form(counter: { sent: number }): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="live-2026-11-11.ts"\r\nContent-Type: video/mp2t\r\n\r\n`);
  for await (const chunk of seededBytes(SEED, UPLOAD_BYTES)) {
    counter.sent += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

function send(server: ServerProcess, token: string, counter: { sent: number }): Promise<Response> {
  return fetch(`${server.url}/v1/evidence/files`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": multipartType() },
    body: form(counter) as unknown as RequestInit["body"],
    duplex: "half",
  } as RequestInit);
}

interface Medium {
  env: Record<string, string>;
  /** Names under final addresses. */
  finals(): Promise<string[]>;
  /** Bytes an interrupted put left (temporary files), where the medium shows them. */
  leftovers(): Promise<number | null>;
}

async function crashDuringUpload(t: Test, medium: Medium) {
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const pgliteDir = usingPostgres ? null : await mkdtemp(join(tmpdir(), "tracemark-crash-db-"));
  t.teardown(() => (pgliteDir ? rm(pgliteDir, { recursive: true, force: true }) : undefined));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: pgliteDir! };
  // PGlite's directory can be opened only while the server is down: every look is made then.
  const withDb = async <T>(use: (db: Db) => Promise<T>): Promise<T> => {
    const handle = await openDatabase(testConfig(dbEnv));
    try {
      return await use(handle.db);
    } finally {
      await handle.close();
    }
  };
  const key = await withDb(async (db) => {
    await migrateToLatest(db);
    const merchant = await createMerchant(db, "Silk Road Live");
    return issueApiKey(db, { role: "merchant", merchantId: merchant.id });
  });
  const env = { ...dbEnv, ...medium.env, PIPELINE: "off", LOG_LEVEL: "warn" };

  let server = await startServer(env);
  t.teardown(() => server.kill("SIGKILL"));
  const counter = { sent: 0 };
  const upload = send(server, key.token, counter).then(
    (res) => `answered ${res.status}`,
    (error: unknown) => `failed: ${String(error)}`,
  );
  while (counter.sent < KILL_AFTER_BYTES) await new Promise((r) => setTimeout(r, 20));
  const leftBefore = await medium.leftovers();
  server.kill("SIGKILL");
  t.equal(await server.exited, "SIGKILL");
  t.match(await upload, /^failed/, "the upload never completed");
  if (leftBefore !== null) t.ok(leftBefore > 0, `the killed process was writing a temporary copy (${leftBefore} bytes)`);

  t.same(await medium.finals(), [], "no file under a final name");
  const counts = await withDb(async (db) => ({
    records: (await db.selectFrom("records").select("id").where("kind", "=", "evidence.file").execute()).length,
    rows: (await db.selectFrom("evidence_files").select("id").execute()).length,
  }));
  t.same(counts, { records: 0, rows: 0 }, "no record and no row");

  server = await startServer(env);
  const left = await medium.leftovers();
  if (left !== null) t.equal(left, 0, "the restart swept the temporary copy");

  const again = await send(server, key.token, { sent: 0 });
  t.equal(again.status, 201, "the same upload succeeds after the restart");
  const body = (await again.json()) as { file: { sha256: string; size: number } };
  t.same({ sha256: body.file.sha256, size: body.file.size }, { sha256: await seededSha256(SEED, UPLOAD_BYTES), size: UPLOAD_BYTES });
  t.equal((await medium.finals()).length, 1, "now exactly one file under its address");
  server.kill("SIGTERM");
  await server.exited;
}

t.test(`SIGKILL during a ${UPLOAD_BYTES / MB} MB upload, local driver`, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "tracemark-crash-evidence-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const list = async (sub: string) => (await readdir(join(dir, sub), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile());
  await crashDuringUpload(t, {
    env: { BLOB_DRIVER: "local", EVIDENCE_DIR: dir },
    finals: async () => (await list("sha256")).map((e) => e.name),
    leftovers: async () => {
      let bytes = 0;
      for (const e of await list("tmp")) bytes += (await stat(join(e.parentPath, e.name))).size;
      return bytes;
    },
  });
});

t.test(`SIGKILL during a ${UPLOAD_BYTES / MB} MB upload, S3 driver (s3rver in a child process)`, async (t) => {
  const s3 = await startS3rver();
  t.teardown(s3.stop);
  const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: S3RVER_SECRET } });
  t.teardown(() => client.destroy());
  const keys = async (prefix: string) => ((await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);
  await crashDuringUpload(t, {
    env: s3.env,
    finals: () => keys("sha256/"),
    // An interrupted multipart upload is invisible to listings; a whole temporary object is not.
    leftovers: async () => ((await keys("tmp/")).length === 0 ? null : (await keys("tmp/")).length),
  });
});
