// A local S3-compatible server (s3rver) on 127.0.0.1, in a child process of its own, so that it
// outlives a Tracemark process a test kills and shares no event loop with the test or the bench.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freeLoopbackPort } from "./loopback.ts";

const S3RVER_BIN = fileURLToPath(new URL("../../node_modules/s3rver/bin/s3rver.js", import.meta.url));

export interface S3rver {
  endpoint: string;
  bucket: string;
  /** The S3_* configuration for Tracemark (s3rver accepts only these credentials). */
  env: Record<string, string>;
  /** Where s3rver keeps its objects, to look at what is really stored. */
  directory: string;
  stop(): Promise<void>;
}

export const S3RVER_SECRET = "S3RVER";

export async function startS3rver(bucket = "evidence"): Promise<S3rver> {
  const directory = await mkdtemp(join(tmpdir(), "tracemark-s3rver-"));
  const port = await freeLoopbackPort();
  const child = spawn(process.execPath, [S3RVER_BIN, "-d", directory, "-a", "127.0.0.1", "-p", String(port), "--silent", "--no-vhost-buckets", "--configure-bucket", bucket], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const killAtExit = () => child.kill("SIGKILL");
  process.once("exit", killAtExit);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`s3rver exited before it listened:\n${output}`);
    const up = await fetch(`${endpoint}/${bucket}`, { signal: AbortSignal.timeout(1_000) }).then(() => true).catch(() => false);
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`s3rver did not listen in time:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    bucket,
    directory,
    env: {
      BLOB_DRIVER: "s3",
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: "us-east-1",
      S3_FORCE_PATH_STYLE: "true",
      S3_ACCESS_KEY_ID: "S3RVER",
      S3_SECRET_ACCESS_KEY: S3RVER_SECRET,
    },
    stop: async () => {
      process.off("exit", killAtExit);
      child.kill("SIGTERM");
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
