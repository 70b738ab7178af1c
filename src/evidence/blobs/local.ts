// The local filesystem driver: files under `{root}/sha256/{first two hex digits}/{sha256}`.
// A put writes to `{root}/tmp/put-{pid}-{uuid}`, fsyncs it, renames it to its content address and
// fsyncs the directory. rename(2) within one filesystem is atomic, so the final name holds either
// nothing or the whole, flushed file; a crash leaves at most a temporary file, which sweep()
// removes at the next start (those of processes that are no longer running).
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HashingCounter } from "./hashing.ts";
import { assertAddress, BlobStoreError, type BlobStore, type ByteRange, type PutOptions, type StoredBlob } from "./store.ts";

const TEMP_NAME = /^put-(\d+)-[0-9a-f-]{36}$/;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code === "ENOENT";

/** Whether a process with this id runs on this machine (EPERM: it does, as another user). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalBlobStore implements BlobStore {
  readonly driver = "local" as const;
  readonly #root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#root = root;
    this.#tmp = join(root, "tmp");
  }

  pathOf(sha256: string): string {
    assertAddress(sha256);
    return join(this.#root, "sha256", sha256.slice(0, 2), sha256);
  }

  async put(source: Readable, options: PutOptions): Promise<StoredBlob> {
    await mkdir(this.#tmp, { recursive: true });
    const temp = join(this.#tmp, `put-${process.pid}-${randomUUID()}`);
    const counter = new HashingCounter(options.maxBytes);
    const handle = await open(temp, "wx", 0o600);
    try {
      await pipeline(source, counter, createWriteStream(temp, { fd: handle.fd, autoClose: false, flush: false }));
      await handle.sync();
      options.beforeCommit?.();
    } catch (error) {
      await handle.close().catch(() => {});
      await rm(temp, { force: true });
      if ((error as NodeJS.ErrnoException).syscall !== undefined) {
        throw new BlobStoreError(`writing the file failed: ${(error as NodeJS.ErrnoException).code}`, { cause: error });
      }
      throw error;
    }
    await handle.close();
    const sha256 = counter.digestHex();
    const size = counter.bytes;
    const final = this.pathOf(sha256);
    if ((await this.size(sha256)) !== null) {
      await unlink(temp);
      return { sha256, size, created: false };
    }
    const directory = join(this.#root, "sha256", sha256.slice(0, 2));
    await mkdir(directory, { recursive: true });
    // Same filesystem (both under the root): atomic. A concurrent put of the same bytes renames
    // an identical file over this one, which is harmless.
    await rename(temp, final);
    await fsyncDirectory(directory);
    return { sha256, size, created: true };
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch (error) {
      if (isMissing(error)) return null;
      throw new BlobStoreError(`reading the file's size failed: ${(error as NodeJS.ErrnoException).code ?? "error"}`, { cause: error });
    }
  }

  async open(sha256: string, range?: ByteRange): Promise<Readable | null> {
    const path = this.pathOf(sha256);
    let handle;
    try {
      handle = await open(path, "r");
    } catch (error) {
      if (isMissing(error)) return null;
      throw new BlobStoreError(`opening the file failed: ${(error as NodeJS.ErrnoException).code ?? "error"}`, { cause: error });
    }
    return createReadStream(path, { fd: handle, autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
  }

  async delete(sha256: string): Promise<boolean> {
    try {
      await unlink(this.pathOf(sha256));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw new BlobStoreError(`deleting the file failed: ${(error as NodeJS.ErrnoException).code ?? "error"}`, { cause: error });
    }
  }

  /** Temporary files of processes that no longer run (or of an earlier process with this pid). */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.#tmp);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(TEMP_NAME.exec(name)?.[1] ?? Number.NaN);
      if (Number.isNaN(pid) || (pid !== process.pid && processRuns(pid))) continue;
      await rm(join(this.#tmp, name), { force: true });
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {}
}
