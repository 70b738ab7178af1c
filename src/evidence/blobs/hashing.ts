import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { BlobTooLargeError } from "./store.ts";

/**
 * Passes bytes through unchanged while hashing them (SHA-256) and counting them; fails with
 * BlobTooLargeError on the first chunk that goes past `maxBytes`, before it is passed on.
 */
export class HashingCounter extends Transform {
  readonly #hash = createHash("sha256");
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes: number) {
    super();
    this.#maxBytes = maxBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.#maxBytes) return callback(new BlobTooLargeError(this.#maxBytes));
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Only once the stream has ended. */
  digestHex(): string {
    return this.#hash.digest("hex");
  }
}
