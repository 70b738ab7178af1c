// Bench part `bundle` (issue 11): a large case's evidence bundle streams with flat memory. Fills a
// blob folder with files (random bytes, written and hashed as a stream), notarizes each by its
// hash, attaches them all to one case, then downloads GET /v1/cases/{id}/bundle over loopback and
// throws the bytes away, sampling the server's RSS. The figure is RSS growth over the baseline,
// which must not grow with the bundle (after a small case's bundle has loaded what every bundle loads once): --bundle-bytes=N (default 2 GiB), --bundle-files=N (default 64).
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { get, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { buildApp } from "../../src/app.ts";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import type { ChainHandle } from "../../src/chain/connect.ts";
import { loadConfig } from "../../src/config.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createMerchant } from "../../src/merchants/merchants.ts";

export interface BundleBenchResult {
  files: number;
  bytes: number;
  seconds: number;
  mbPerSec: number;
  baselineRssMiB: number;
  peakRssMiB: number;
  growthMiB: number;
}

const MiB = 1024 * 1024;

async function writeBlob(dir: string, bytes: number): Promise<string> {
  const tmp = join(dir, `tmp-${randomBytes(6).toString("hex")}`);
  const out = createWriteStream(tmp);
  const hash = createHash("sha256");
  const block = randomBytes(MiB);
  for (let left = bytes; left > 0; left -= MiB) {
    // A counter in each block keeps the blocks distinct without a fresh random MiB each time.
    block.writeUInt32LE(left >>> 0, 0);
    const chunk = left >= MiB ? block : block.subarray(0, left);
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  const sha = hash.digest("hex");
  await rename(tmp, join(dir, sha));
  return sha;
}

export async function benchBundle(options: { databaseUrl: string | undefined; chain: ChainHandle; bytes: number; files: number }): Promise<BundleBenchResult> {
  const blobs = await mkdtemp(join(tmpdir(), "tracemark-bench-bundle-"));
  const config = loadConfig({ LOG_LEVEL: "silent", PIPELINE: "off", CASE_BLOB_DIR: blobs, ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}) });
  const database = await openDatabase(config);
  try {
    await migrateToLatest(database.db);
    const app = await buildApp({ config, database, chain: options.chain });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const admin = await issueApiKey(database.db, { role: "admin" });
      const merchant = await createMerchant(database.db, "Bench Shop");
      const headers = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
      const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const post = async (path: string, body: object) => {
        const res = await fetch(base + path, { method: "POST", headers, body: JSON.stringify(body) });
        if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
        return res.json() as Promise<Record<string, unknown>>;
      };
      const opened = (await post("/v1/cases", { merchantId: merchant.id, orderRef: "BENCH-1", summary: "a large case" })) as { case: { id: string } };
      const each = Math.ceil(options.bytes / options.files);
      for (let i = 0; i < options.files; i++) {
        const sha = await writeBlob(blobs, each);
        const record = (await post("/v1/records", { kind: "evidence.video-segment", subject: "urn:tracemark:stream:bench", contentHash: sha, mediaType: "video/mp4" })) as { id: string };
        await post(`/v1/cases/${opened.case.id}/evidence`, { recordId: record.id });
      }
      // A small case's bundle first: what every bundle loads once (the CJK font for the PDF, the
      // verifier) is in the baseline, and the growth measured is what this bundle's size costs.
      const small = (await post("/v1/cases", { merchantId: merchant.id, orderRef: "BENCH-0", summary: "a small case" })) as { case: { id: string } };
      const warm = await fetch(`${base}/v1/cases/${small.case.id}/bundle`, { headers });
      await warm.arrayBuffer();
      global.gc?.();
      const baseline = process.memoryUsage().rss;
      let peak = baseline;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const started = performance.now();
      let received = 0;
      // node:http, read as it comes: the client shares this process, and fetch's web streams hold
      // more of the answer in memory than the server does, which would count against the server.
      const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${base}/v1/cases/${opened.case.id}/bundle`, { headers }, resolve).on("error", reject));
      if (res.statusCode !== 200) throw new Error(`bundle: ${res.statusCode}`);
      for await (const chunk of res) received += (chunk as Buffer).length;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      return {
        files: options.files,
        bytes: received,
        seconds,
        mbPerSec: received / MiB / seconds,
        baselineRssMiB: baseline / MiB,
        peakRssMiB: peak / MiB,
        growthMiB: (peak - baseline) / MiB,
      };
    } finally {
      await app.close();
    }
  } finally {
    await database.close();
    await rm(blobs, { recursive: true, force: true });
  }
}
