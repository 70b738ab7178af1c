// The evidence file store (issue 10, item 1): files kept under their content address, the
// SHA-256 of their raw bytes (what `sha256sum` prints), behind one small interface with two
// drivers (local.ts, s3.ts) chosen by BLOB_DRIVER. A file appears under its address whole or not
// at all: each driver writes somewhere temporary first and moves the bytes into place only once
// they are complete and hashed, so a crash at any moment never leaves a half file under a final
// name. The same bytes stored twice are stored once.
import type { Readable } from "node:stream";

export interface StoredBlob {
  /** SHA-256 of the raw bytes, 64 lower-case hex digits. */
  sha256: string;
  size: number;
  /** False when the store already held these bytes (de-duplicated: nothing was written). */
  created: boolean;
}

/** Inclusive byte range, as in an HTTP Range header (RFC 9110 §14.1.2). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface PutOptions {
  /** More bytes than this fail the put with BlobTooLargeError; nothing is kept. */
  maxBytes: number;
  /**
   * Called after the last byte, before the bytes move to their address: throwing discards them
   * (a form part that its parser cut short at its size limit ends like a complete one).
   */
  beforeCommit?: () => void;
}

export interface BlobStore {
  readonly driver: "local" | "s3";
  /**
   * Streams `source` in, hashing it on the way; resolves once the bytes are durable under their
   * content address. On any failure (source error, too large, storage error) nothing is left
   * under a final name and the temporary copy is removed.
   */
  put(source: Readable, options: PutOptions): Promise<StoredBlob>;
  /** The size of the stored file, or null when the store does not hold it. */
  size(sha256: string): Promise<number | null>;
  /** A stream of the file's bytes (of `range` only, when given), or null when the store does not hold it. */
  open(sha256: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes the file; false when there was none. */
  delete(sha256: string): Promise<boolean>;
  /** Removes what interrupted puts left behind (at start); returns how many. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

/** The source had more bytes than PutOptions.maxBytes. */
export class BlobTooLargeError extends Error {
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`the file is larger than ${maxBytes} bytes`);
    this.name = "BlobTooLargeError";
    this.maxBytes = maxBytes;
  }
}

/**
 * The storage itself failed (a disk error, the object store refused or could not be reached).
 * The message names the operation and the store's own error code, never a credential.
 */
export class BlobStoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = "BlobStoreError";
  }
}

export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function assertAddress(sha256: string): void {
  // Addresses become file names and object keys: only ever 64 hex digits.
  if (!SHA256_HEX.test(sha256)) throw new TypeError(`not a SHA-256 content address: ${JSON.stringify(sha256)}`);
}
