// Where an evidence bundle finds original files: by the SHA-256 of their bytes, which is the
// record's contentHash (DESIGN.md: a file's contentHash is SHA-256 of its raw bytes). The evidence
// blob store (src/evidence/blobs/) answers first; then, when set, a folder of files named by their
// hash (CASE_BLOB_DIR), where an operator can put what was kept outside the service. A JSON record
// whose payload the service did not keep may be found there too, by the hash of its canonical bytes.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";

export interface BlobSource {
  /** The bytes whose SHA-256 is `sha256` (lower-case hex), or null when there are none. */
  open(sha256: string): Promise<Readable | null>;
}

export const NO_BLOBS: BlobSource = { open: async () => null };

const HEX64 = /^[0-9a-f]{64}$/;

/** Files named by their SHA-256 in one folder. The bundle hashes what it reads, so a wrong file is caught, not trusted. */
export function directoryBlobSource(dir: string): BlobSource {
  return {
    async open(sha256) {
      if (!HEX64.test(sha256)) return null;
      const path = join(dir, sha256);
      try {
        if (!(await stat(path)).isFile()) return null;
      } catch {
        return null;
      }
      return createReadStream(path);
    },
  };
}

export function blobSourceOf(config: { CASE_BLOB_DIR?: string | undefined }): BlobSource {
  return config.CASE_BLOB_DIR ? directoryBlobSource(config.CASE_BLOB_DIR) : NO_BLOBS;
}

/** The first source that has the bytes. */
export function firstOf(...sources: BlobSource[]): BlobSource {
  return {
    async open(sha256) {
      for (const source of sources) {
        const stream = await source.open(sha256);
        if (stream) return stream;
      }
      return null;
    },
  };
}
