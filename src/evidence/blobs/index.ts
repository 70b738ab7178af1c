// The blob store the configuration asks for (BLOB_DRIVER), with its combination checks. The S3
// driver is loaded only when it is asked for: the AWS SDK adds ~33 MiB to the process's RSS, which
// README "Limits" bounds, and a service on the local driver never runs a line of it.
import { resolve } from "node:path";
import type { Config } from "../../config.ts";
import { ConfigError } from "../../errors.ts";
import { LocalBlobStore } from "./local.ts";
import type { BlobStore } from "./store.ts";

/** CopyObject's limit for one request (S3 stores a finished upload under its address with one copy). */
export const S3_COPY_MAX_BYTES = 5 * 1024 ** 3;

export { BlobStoreError, BlobTooLargeError, SHA256_HEX, type BlobStore, type ByteRange, type StoredBlob } from "./store.ts";

type BlobConfig = Pick<
  Config,
  "BLOB_DRIVER" | "EVIDENCE_DIR" | "EVIDENCE_MAX_BYTES" | "S3_ENDPOINT" | "S3_BUCKET" | "S3_REGION" | "S3_PREFIX" | "S3_FORCE_PATH_STYLE" | "S3_ACCESS_KEY_ID" | "S3_SECRET_ACCESS_KEY"
>;

/** The driver BLOB_DRIVER names; a missing or contradictory setting is a ConfigError naming the variable. */
export async function openBlobStore(config: BlobConfig): Promise<BlobStore> {
  if (config.BLOB_DRIVER === "local") return new LocalBlobStore(resolve(config.EVIDENCE_DIR));
  if (!config.S3_BUCKET) throw new ConfigError("S3_BUCKET", "is required when BLOB_DRIVER is s3");
  if ((config.S3_ACCESS_KEY_ID === undefined) !== (config.S3_SECRET_ACCESS_KEY === undefined)) {
    throw new ConfigError(config.S3_ACCESS_KEY_ID === undefined ? "S3_ACCESS_KEY_ID" : "S3_SECRET_ACCESS_KEY", "is required with the other S3 credential: set both or neither");
  }
  if (config.EVIDENCE_MAX_BYTES > S3_COPY_MAX_BYTES) {
    throw new ConfigError("EVIDENCE_MAX_BYTES", `must be <= ${S3_COPY_MAX_BYTES} with BLOB_DRIVER s3 (one CopyObject copies at most 5 GiB)`);
  }
  if (config.S3_PREFIX !== "" && !config.S3_PREFIX.endsWith("/")) throw new ConfigError("S3_PREFIX", `must end with "/" (got ${JSON.stringify(config.S3_PREFIX)})`);
  const { S3BlobStore } = await import("./s3.ts");
  return new S3BlobStore({
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    prefix: config.S3_PREFIX,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    ...(config.S3_ACCESS_KEY_ID ? { accessKeyId: config.S3_ACCESS_KEY_ID } : {}),
    ...(config.S3_SECRET_ACCESS_KEY ? { secretAccessKey: config.S3_SECRET_ACCESS_KEY } : {}),
  });
}
