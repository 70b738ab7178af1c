// Issue 10's upload figure: one evidence file of --upload-mb (default 1,024 MiB = 1 GiB) sent to
// POST /v1/evidence/files of the real service in a child process, once per blob driver (local
// filesystem; S3 against s3rver on loopback in its own process). The bytes are generated as they
// are sent (AES-CTR from a seed), never held whole, on either side. Reported: MB/s from the first
// byte sent to the 201, and the server's RSS (/proc/PID/status VmRSS, sampled every 50 ms) before
// and at its peak during the upload: streaming means the peak stays near the baseline whatever
// the file's size.
import { createCipheriv, createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startS3rver } from "../lib/s3rver.ts";
import { startBenchServer } from "./server.ts";

/** Growth of the server's RSS over its idle baseline that still counts as flat. */
export const UPLOAD_RSS_GROWTH_TARGET_MIB = 128;

export interface UploadResult {
  driver: "local" | "s3";
  bytes: number;
  seconds: number;
  mbPerSec: number;
  baselineRssMiB: number;
  peakRssMiB: number;
}

const BOUNDARY = "----tracemark-bench-upload";
const CHUNK = 1024 * 1024;

async function rssMiB(pid: number): Promise<number> {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

async function* form(bytes: number, hash: ReturnType<typeof createHash>): AsyncGenerator<Uint8Array> {
  yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const cipher = createCipheriv("aes-256-ctr", Buffer.alloc(32, 7), Buffer.alloc(16));
  const zeros = Buffer.alloc(CHUNK);
  for (let left = bytes; left > 0; left -= CHUNK) {
    const chunk = cipher.update(left >= CHUNK ? zeros : zeros.subarray(0, left));
    hash.update(chunk);
    yield chunk;
  }
  yield Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
}

async function uploadOnce(driver: "local" | "s3", env: Record<string, string>, databaseUrl: string | undefined, bytes: number): Promise<UploadResult> {
  const server = await startBenchServer(databaseUrl, { ...env, PIPELINE: "off", LOG_LEVEL: "warn", EVIDENCE_MAX_BYTES: String(Math.max(bytes, 1)) });
  try {
    const baselineRssMiB = await rssMiB(server.pid);
    let peakRssMiB = baselineRssMiB;
    const sampler = setInterval(() => void rssMiB(server.pid).then((r) => (peakRssMiB = Math.max(peakRssMiB, r)), () => {}), 50);
    const hash = createHash("sha256");
    const started = performance.now();
    const res = await fetch(`${server.url}/v1/evidence/files`, {
      method: "POST",
      headers: { authorization: `Bearer ${server.token}`, "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: form(bytes, hash) as unknown as RequestInit["body"],
      duplex: "half",
    } as RequestInit);
    const text = await res.text();
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    if (res.status !== 201) throw new Error(`upload answered ${res.status}: ${text.slice(0, 300)}`);
    const stored = (JSON.parse(text) as { file: { sha256: string } }).file.sha256;
    if (stored !== hash.digest("hex")) throw new Error("the service stored the upload under another SHA-256 than the bytes sent");
    return { driver, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, baselineRssMiB, peakRssMiB };
  } finally {
    await server.stop();
  }
}

export async function benchUpload(options: { databaseUrl: string | undefined; bytes: number }): Promise<UploadResult[]> {
  const dir = await mkdtemp(join(tmpdir(), "tracemark-bench-evidence-"));
  const s3 = await startS3rver();
  try {
    return [
      await uploadOnce("local", { BLOB_DRIVER: "local", EVIDENCE_DIR: dir }, options.databaseUrl, options.bytes),
      await uploadOnce("s3", s3.env, options.databaseUrl, options.bytes),
    ];
  } finally {
    await s3.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
