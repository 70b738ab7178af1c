// Reads a bag for `tracemark verify-bundle`: the bundle's ZIP as the service streamed it, or the
// folder it was unpacked into. A ZIP is read from its central directory (APPNOTE.TXT §4.3.16),
// and each entry streamed from the file and inflated as it is hashed: a bundle of any size is
// checked in flat memory. ZIP64 (bundles past 4 GiB) is not read yet.
import { createReadStream } from "node:fs";
import { open, readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import type { Readable } from "node:stream";
import { createInflateRaw } from "node:zlib";

export interface BagReader {
  /** Every file in the bag, "/" separated, sorted. */
  readonly files: readonly string[];
  stream(path: string): Readable;
  read(path: string): Promise<Buffer>;
}

export class BagReadError extends Error {}

interface ZipEntry {
  method: number;
  compressedSize: number;
  localHeader: number;
}

async function readZip(path: string): Promise<BagReader> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const tailSize = Math.min(size, 65_535 + 22);
    const tail = Buffer.alloc(tailSize);
    await handle.read(tail, 0, tailSize, size - tailSize);
    const eocd = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (eocd < 0) throw new BagReadError(`${path} is not a ZIP file (no end of central directory record)`);
    const count = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    if (count === 0xffff || cdOffset === 0xffffffff) throw new BagReadError(`${path} is a ZIP64 file: not supported yet; unpack it and pass the folder`);
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const entries = new Map<string, ZipEntry>();
    let at = 0;
    for (let i = 0; i < count; i++) {
      if (cd.readUInt32LE(at) !== 0x02014b50) throw new BagReadError(`${path}: central directory entry ${i} is damaged`);
      const method = cd.readUInt16LE(at + 10);
      const compressedSize = cd.readUInt32LE(at + 20);
      const nameLength = cd.readUInt16LE(at + 28);
      const extraLength = cd.readUInt16LE(at + 30);
      const commentLength = cd.readUInt16LE(at + 32);
      const localHeaderAt = cd.readUInt32LE(at + 42);
      const name = cd.toString("utf8", at + 46, at + 46 + nameLength);
      if (method !== 0 && method !== 8) throw new BagReadError(`${path}: ${name} uses compression method ${method} (only stored and deflated are read)`);
      if (!name.endsWith("/")) entries.set(name, { method, compressedSize, localHeader: localHeaderAt });
      at += 46 + nameLength + extraLength + commentLength;
    }
    // Each entry's data starts after its local header, whose name and extra field lengths may differ from the central directory's.
    const starts = new Map<string, number>();
    const header = Buffer.alloc(30);
    for (const [name, entry] of entries) {
      await handle.read(header, 0, 30, entry.localHeader);
      if (header.readUInt32LE(0) !== 0x04034b50) throw new BagReadError(`${path}: the local header of ${name} is damaged`);
      starts.set(name, entry.localHeader + 30 + header.readUInt16LE(26) + header.readUInt16LE(28));
    }
    const stream = (name: string): Readable => {
      const entry = entries.get(name);
      if (!entry) throw new BagReadError(`${name} is not in the bag`);
      const start = starts.get(name)!;
      const raw = createReadStream(path, { start, end: start + entry.compressedSize - 1 });
      if (entry.compressedSize === 0) return raw;
      if (entry.method === 0) return raw;
      const inflate = createInflateRaw();
      raw.on("error", (error) => inflate.destroy(error));
      return raw.pipe(inflate);
    };
    return { files: [...entries.keys()].sort(), stream, read: (name) => collect(stream(name)) };
  } finally {
    await handle.close();
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function walk(dir: string, root: string, out: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, root, out);
    else if (entry.isFile()) out.push(relative(root, full).split(sep).join("/"));
  }
}

async function readFolder(dir: string): Promise<BagReader> {
  const files: string[] = [];
  await walk(dir, dir, files);
  files.sort();
  const known = new Set(files);
  const check = (name: string) => {
    if (!known.has(name)) throw new BagReadError(`${name} is not in the bag`);
    return join(dir, ...name.split("/"));
  };
  return { files, stream: (name) => createReadStream(check(name)), read: (name) => readFile(check(name)) };
}

export async function openBag(path: string): Promise<BagReader> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new BagReadError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  return info.isDirectory() ? readFolder(path) : readZip(path);
}
