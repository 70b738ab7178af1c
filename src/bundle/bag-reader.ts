// Reads a bag for `tracemark verify-bundle`: the bundle's ZIP as the service streamed it, or the
// folder it was unpacked into. A ZIP is read with yauzl (from its central directory, ZIP64
// included), and each entry streamed from the file and inflated as it is hashed: a bundle of any
// size is checked in flat memory. yauzl does not check an entry's CRC-32, which is what we want: a
// changed byte is reported by the bag's own manifest (which file, which step), not as a broken ZIP.
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import yauzl from "yauzl";

export interface BagReader {
  /** Every file in the bag, "/" separated, sorted. */
  readonly files: readonly string[];
  stream(path: string): Readable;
  read(path: string): Promise<Buffer>;
  /** Lets go of the file (a ZIP is kept open while it is read). */
  close(): void;
}

export class BagReadError extends Error {}

async function readZip(path: string): Promise<BagReader> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, opened) =>
      error ? reject(new BagReadError(`${path} is not a readable ZIP file (${error.message})`)) : resolve(opened),
    ),
  );
  const entries = new Map<string, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on("entry", (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith("/")) entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.once("end", resolve);
      zip.once("error", (error: Error) => reject(new BagReadError(`${path}: ${error.message}`)));
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error;
  }
  const stream = (name: string): Readable => {
    const entry = entries.get(name);
    if (!entry) throw new BagReadError(`${name} is not in the bag`);
    // yauzl opens an entry's stream asynchronously; the caller gets a stream at once.
    const out = new PassThrough();
    zip.openReadStream(entry, (error, data) => {
      if (error) return out.destroy(new BagReadError(`${path}: ${name}: ${error.message}`));
      data.on("error", (failure: Error) => out.destroy(new BagReadError(`${path}: ${name}: ${failure.message}`)));
      data.pipe(out);
    });
    return out;
  };
  return { files: [...entries.keys()].sort(), stream, read: (name) => collect(stream(name)), close: () => zip.close() };
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
  return { files, stream: (name) => createReadStream(check(name)), read: (name) => readFile(check(name)), close: () => {} };
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
