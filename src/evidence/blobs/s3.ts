// The S3-compatible driver (@aws-sdk/client-s3 + lib-storage): what operators run as AWS S3,
// Aliyun OSS, Tencent COS, Huawei OBS or MinIO. Files live under `{prefix}sha256/{sha256}`.
//
// The content address is known only after the last byte, so a put streams to a temporary key
// (`{prefix}tmp/{uuid}`, a multipart upload through lib-storage: parts of PART_SIZE, QUEUE_SIZE
// in flight, so memory stays flat whatever the size), then copies it to its address and deletes
// the temporary object. Why that is atomic enough: an S3 object becomes visible only when the
// request that writes it completes (PutObject, CompleteMultipartUpload, CopyObject are each
// all-or-nothing), so the final key holds the whole file or nothing. A crash leaves an incomplete
// multipart upload (invisible to readers) or a temporary object; sweep() deletes temporary
// objects older than `sweepAfterMs` (uploads still running in other replicas are younger) and
// aborts incomplete uploads where the store lists them. Give the bucket a lifecycle rule that
// aborts incomplete multipart uploads after a day as well: not every store lists them.
// CopyObject copies at most 5 GiB in one request, hence EVIDENCE_MAX_BYTES ≤ 5 GiB with this driver.
//
// Credentials come from the configuration (or the SDK's default chain); the secret key is never
// part of an error this driver throws: its messages name the operation and S3's error code.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { HashingCounter } from "./hashing.ts";
import { assertAddress, BlobStoreError, BlobTooLargeError, type BlobStore, type ByteRange, type PutOptions, type StoredBlob } from "./store.ts";

export interface S3StoreOptions {
  bucket: string;
  region: string;
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which most S3-compatible servers need. */
  forcePathStyle: boolean;
  /** Key prefix, "" or ending in "/". */
  prefix: string;
  /** Temporary objects older than this are swept (default: one hour, longer than any upload may take). */
  sweepAfterMs?: number;
}

/** S3 multipart parts are at least 5 MiB; 8 MiB × 2 in flight bounds a put's memory. */
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;


interface SdkError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

const statusOf = (error: unknown) => (error as SdkError | null)?.$metadata?.httpStatusCode;
const isNotFound = (error: unknown) => {
  const name = (error as SdkError | null)?.name;
  return statusOf(error) === 404 || name === "NotFound" || name === "NoSuchKey";
};

/** A driver error that names the operation and S3's code, never the request's credentials. */
function storeError(operation: string, error: unknown): BlobStoreError {
  const e = error as SdkError | null;
  const status = statusOf(error);
  const code = e?.name && e.name !== "Error" ? e.name : (e?.code ?? "error");
  return new BlobStoreError(`object store ${operation} failed: ${code}${status ? ` (HTTP ${status})` : ""}`, { cause: error });
}

export class S3BlobStore implements BlobStore {
  readonly driver = "s3" as const;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #sweepAfterMs: number;

  constructor(options: S3StoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
      // Checksums only where the operation requires one: S3-compatible stores differ in which
      // newer checksum headers they understand.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    };
    this.#client = new S3Client(config);
    this.#bucket = options.bucket;
    this.#prefix = options.prefix;
    this.#sweepAfterMs = options.sweepAfterMs ?? 60 * 60_000;
  }

  keyOf(sha256: string): string {
    assertAddress(sha256);
    return `${this.#prefix}sha256/${sha256}`;
  }

  async put(source: Readable, options: PutOptions): Promise<StoredBlob> {
    const temp = `${this.#prefix}tmp/${randomUUID()}`;
    const counter = new HashingCounter(options.maxBytes);
    source.once("error", (error) => counter.destroy(error));
    counter.once("error", () => source.destroy());
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: temp, Body: source.pipe(counter) },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
      if (counter.errored) throw counter.errored;
      options.beforeCommit?.();
    } catch (error) {
      await this.#deleteKey(temp).catch(() => {});
      if (counter.errored instanceof BlobTooLargeError) throw counter.errored;
      if (error instanceof BlobTooLargeError || !(error as SdkError | null)?.$metadata) throw error;
      throw storeError("upload", error);
    }
    const sha256 = counter.digestHex();
    const size = counter.bytes;
    try {
      if ((await this.size(sha256)) !== null) return { sha256, size, created: false };
      await this.#client.send(
        new CopyObjectCommand({ Bucket: this.#bucket, Key: this.keyOf(sha256), CopySource: `${this.#bucket}/${encodeURIComponent(temp).replaceAll("%2F", "/")}` }),
      );
      return { sha256, size, created: true };
    } catch (error) {
      throw error instanceof BlobStoreError ? error : storeError("copy", error);
    } finally {
      await this.#deleteKey(temp).catch(() => {});
    }
  }

  async size(sha256: string): Promise<number | null> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.keyOf(sha256) }));
      return head.ContentLength ?? 0;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw storeError("head", error);
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const got = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.keyOf(sha256), ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
      );
      return got.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw storeError("get", error);
    }
  }

  async delete(sha256: string): Promise<boolean> {
    if ((await this.size(sha256)) === null) return false;
    await this.#deleteKey(this.keyOf(sha256));
    return true;
  }

  async #deleteKey(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      throw storeError("delete", error);
    }
  }

  async sweep(): Promise<number> {
    const before = Date.now() - this.#sweepAfterMs;
    let removed = 0;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: `${this.#prefix}tmp/`, ...(token ? { ContinuationToken: token } : {}) }));
      } catch (error) {
        throw storeError("list", error);
      }
      for (const object of page.Contents ?? []) {
        if (!object.Key || (object.LastModified && object.LastModified.getTime() > before)) continue;
        await this.#deleteKey(object.Key);
        removed++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed + (await this.#abortStaleUploads(before));
  }

  /** Incomplete multipart uploads of temporary keys; a store that cannot list them (NotImplemented) is left to its lifecycle rule. */
  async #abortStaleUploads(before: number): Promise<number> {
    let uploads;
    try {
      uploads = await this.#client.send(new ListMultipartUploadsCommand({ Bucket: this.#bucket, Prefix: `${this.#prefix}tmp/` }));
    } catch {
      return 0;
    }
    let aborted = 0;
    for (const u of uploads.Uploads ?? []) {
      if (!u.Key || !u.UploadId || (u.Initiated && u.Initiated.getTime() > before)) continue;
      await this.#client.send(new AbortMultipartUploadCommand({ Bucket: this.#bucket, Key: u.Key, UploadId: u.UploadId })).catch(() => {});
      aborted++;
    }
    return aborted;
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
