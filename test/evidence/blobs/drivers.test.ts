// One suite, run against both drivers: the local filesystem, and the S3 driver against s3rver on
// 127.0.0.1. What is stored is read back from the store's own medium (the directory, the bucket)
// so that "nothing is left" is checked where it would be left.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import t, { type Test } from "tap";
import { loadConfig } from "../../../src/config.ts";
import { openBlobStore } from "../../../src/evidence/blobs/index.ts";
import { LocalBlobStore } from "../../../src/evidence/blobs/local.ts";
import { S3BlobStore } from "../../../src/evidence/blobs/s3.ts";
import { BlobStoreError, BlobTooLargeError, type BlobStore } from "../../../src/evidence/blobs/store.ts";
import { startS3rver, S3RVER_SECRET, type S3rver } from "../../support/s3rver.ts";
import { seededBytes, seededSha256 } from "../../support/seeded-bytes.ts";

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function readAll(stream: Readable | null): Promise<Buffer> {
  if (!stream) throw new Error("nothing stored");
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A stream that yields `bytes` and then fails, like a client that went away mid-upload. */
function failingAfter(bytes: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
      } else this.destroy(new Error("client went away"));
    },
  });
}

interface Driver {
  name: string;
  store: BlobStore;
  /** Every name the medium holds: temporary and final. */
  listing(): Promise<string[]>;
  /** Leaves behind what a process killed mid-put would. */
  leaveInterruptedPut(): Promise<void>;
}

async function localDriver(t: Test): Promise<Driver> {
  const root = await mkdtemp(join(tmpdir(), "tracemark-blobs-"));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const store = new LocalBlobStore(root);
  const walk = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name).slice(root.length + 1)])));
    return nested.flat();
  };
  return {
    name: "local",
    store,
    listing: () => walk(root),
    leaveInterruptedPut: async () => {
      await mkdir(join(root, "tmp"), { recursive: true });
      // pid 2^22 + 1 is above Linux's pid_max: no process runs under it.
      await writeFile(join(root, "tmp", `put-4194305-${crypto.randomUUID()}`), randomBytes(1000));
    },
  };
}

async function s3Driver(t: Test, s3: S3rver): Promise<Driver> {
  const prefix = `run-${randomBytes(4).toString("hex")}/`;
  const store = new S3BlobStore({ bucket: s3.bucket, region: "us-east-1", endpoint: s3.endpoint, accessKeyId: "S3RVER", secretAccessKey: S3RVER_SECRET, forcePathStyle: true, prefix, sweepAfterMs: 0 });
  const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: S3RVER_SECRET } });
  t.teardown(async () => {
    await store.close();
    client.destroy();
  });
  return {
    name: "s3",
    store,
    listing: async () => {
      const page = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => o.Key!.slice(prefix.length));
    },
    leaveInterruptedPut: async () => {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}tmp/${crypto.randomUUID()}`, Body: randomBytes(1000) }));
    },
  };
}

function suite(t: Test, make: () => Promise<Driver>) {
  let d: Driver;
  t.before(async () => {
    d = await make();
  });
  const finals = async () => (await d.listing()).filter((n) => n.startsWith("sha256/"));
  const temps = async () => (await d.listing()).filter((n) => n.startsWith("tmp/"));

  t.test("stores a stream under the SHA-256 of its raw bytes and reads it back", async (t) => {
    const data = randomBytes(3 * MiB + 17);
    const stored = await d.store.put(Readable.from([data.subarray(0, MiB), data.subarray(MiB)]), { maxBytes: 10 * MiB });
    t.same(stored, { sha256: sha256(data), size: data.length, created: true });
    t.equal(await d.store.size(stored.sha256), data.length);
    t.ok((await readAll(await d.store.open(stored.sha256))).equals(data), "the same bytes come back");
    t.same(await temps(), [], "no temporary copy is left");
  });

  t.test("stores the same bytes once", async (t) => {
    const data = randomBytes(4096);
    const first = await d.store.put(Readable.from([data]), { maxBytes: MiB });
    const before = await finals();
    const second = await d.store.put(Readable.from([data]), { maxBytes: MiB });
    t.equal(first.created, true);
    t.same(second, { ...first, created: false });
    t.same(await finals(), before, "nothing new under a final name");
    t.same(await temps(), []);
  });

  t.test("stores an empty file", async (t) => {
    const stored = await d.store.put(Readable.from([]), { maxBytes: MiB });
    t.equal(stored.sha256, sha256(Buffer.alloc(0)));
    t.equal(await d.store.size(stored.sha256), 0);
  });

  t.test("reads a byte range", async (t) => {
    const data = randomBytes(100_000);
    const { sha256: address } = await d.store.put(Readable.from([data]), { maxBytes: MiB });
    t.ok((await readAll(await d.store.open(address, { start: 10, end: 99_999 }))).equals(data.subarray(10)));
    t.ok((await readAll(await d.store.open(address, { start: 500, end: 500 }))).equals(data.subarray(500, 501)));
  });

  t.test("answers null for an address it does not hold, and deletes once", async (t) => {
    const missing = sha256(randomBytes(8));
    t.equal(await d.store.size(missing), null);
    t.equal(await d.store.open(missing), null);
    t.equal(await d.store.delete(missing), false);
    const { sha256: address } = await d.store.put(Readable.from([randomBytes(10)]), { maxBytes: MiB });
    t.equal(await d.store.delete(address), true);
    t.equal(await d.store.size(address), null);
  });

  t.test("refuses a file over the limit and keeps nothing of it", async (t) => {
    const before = await finals();
    await t.rejects(d.store.put(seededBytes(1, 2 * MiB + 1), { maxBytes: 2 * MiB }), BlobTooLargeError);
    t.same(await finals(), before);
    t.same(await temps(), []);
  });

  t.test("keeps nothing of a source that fails mid-stream", async (t) => {
    const before = await finals();
    await t.rejects(d.store.put(failingAfter(randomBytes(MiB)), { maxBytes: 10 * MiB }), /client went away/);
    t.same(await finals(), before);
    t.same(await temps(), []);
  });

  t.test("keeps nothing when beforeCommit refuses the bytes", async (t) => {
    const before = await finals();
    const data = randomBytes(5000);
    await t.rejects(d.store.put(Readable.from([data]), { maxBytes: MiB, beforeCommit: () => { throw new BlobTooLargeError(4999); } }), BlobTooLargeError);
    t.same(await finals(), before);
    t.equal(await d.store.size(sha256(data)), null);
    t.same(await temps(), []);
  });

  t.test("stores a file larger than several multipart parts with the right hash", async (t) => {
    const size = 40 * MiB + 3;
    const stored = await d.store.put(seededBytes(7, size), { maxBytes: 64 * MiB });
    t.equal(stored.sha256, await seededSha256(7, size));
    t.equal(stored.size, size);
    t.equal(sha256(await readAll(await d.store.open(stored.sha256))), stored.sha256);
  });

  t.test("sweeps what an interrupted put left behind", async (t) => {
    await d.leaveInterruptedPut();
    t.equal((await temps()).length, 1);
    t.equal(await d.store.sweep(), 1);
    t.same(await temps(), []);
  });
}

t.test("local filesystem driver", async (t) => suite(t, () => localDriver(t)));

t.test("S3 driver against s3rver", async (t) => {
  const s3 = await startS3rver();
  t.teardown(s3.stop);
  suite(t, () => s3Driver(t, s3));

  t.test("names the operation and S3's error code, never the secret key, when the store refuses", async (t) => {
    const secret = `wrong-secret-${randomBytes(12).toString("hex")}`;
    // s3rver does not check signatures' secrets; a bucket it does not have makes it refuse.
    const store = new S3BlobStore({ bucket: "no-such-bucket", region: "us-east-1", endpoint: s3.endpoint, accessKeyId: "S3RVER", secretAccessKey: secret, forcePathStyle: true, prefix: "" });
    t.teardown(() => store.close());
    const error = await store.put(Readable.from([randomBytes(100)]), { maxBytes: MiB }).then(() => null, (e: unknown) => e);
    t.type(error, BlobStoreError);
    t.match((error as Error).message, /^object store upload failed: NoSuchBucket \(HTTP 404\)$/);
    t.notMatch(JSON.stringify(error, Object.getOwnPropertyNames(error)), secret);
  });
});

t.test("BLOB_DRIVER picks the driver and checks its settings", async (t) => {
  const config = (env: Record<string, string>) => loadConfig({ LOG_LEVEL: "silent", ...env });
  const refused = async (run: () => unknown) => {
    try {
      await run();
    } catch (error) {
      return (error as { variable?: string }).variable;
    }
    return null;
  };
  t.equal((await openBlobStore(config({}))).driver, "local");
  t.equal(await refused(() => openBlobStore(config({ BLOB_DRIVER: "s3" }))), "S3_BUCKET");
  t.equal(await refused(() => openBlobStore(config({ BLOB_DRIVER: "s3", S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k" }))), "S3_SECRET_ACCESS_KEY");
  t.equal(await refused(() => openBlobStore(config({ BLOB_DRIVER: "s3", S3_BUCKET: "b", EVIDENCE_MAX_BYTES: String(6 * 1024 ** 3) }))), "EVIDENCE_MAX_BYTES");
  const s3 = await openBlobStore(config({ BLOB_DRIVER: "s3", S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" }));
  t.equal(s3.driver, "s3");
  await s3.close();
  t.equal(await refused(() => config({ EVIDENCE_MAX_BYTES: "x" })), "EVIDENCE_MAX_BYTES");
});
