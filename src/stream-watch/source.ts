// Where a live HLS media playlist (RFC 8216) is read from: an http(s) URL, or a directory (or a
// .m3u8 file in one) that a packager such as ffmpeg writes into. Segments are resolved against the
// playlist's location (RFC 8216 §4.1: relative URIs are relative to the playlist's URI) and read as
// streams, so a segment is hashed as it arrives and never held whole.
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import type { ReadableStream } from "node:stream/web";
import { UsageError } from "../cli/usage-error.ts";

export interface PlaylistRead {
  text: string;
  /** When the playlist last changed, as well as the source can tell (a file's mtime); else now. */
  changedAt: number;
}

export interface PlaylistSource {
  /** For messages: the origin of a URL (never its path or query), or the file's path. */
  readonly name: string;
  /** The playlist now, or null when it is not there (yet). */
  read(): Promise<PlaylistRead | null>;
  /** The segment's bytes as a stream, or null when it is not there (deleted, never written). */
  open(uri: string): Promise<Readable | null>;
  /** The local file a segment URI names (directories only), for `stream check`. */
  localPath?(uri: string): string;
}

const FETCH_TIMEOUT_MS = 30_000;

export async function sourceOf(location: string): Promise<PlaylistSource> {
  if (/^https?:\/\//i.test(location)) return urlSource(new URL(location));
  return fileSource(await playlistFileOf(location));
}

/** A directory with one .m3u8 in it names that file; a file names itself. */
async function playlistFileOf(location: string): Promise<string> {
  const path = resolve(location);
  const info = await stat(path).catch(() => null);
  if (info === null) throw new UsageError(`${location}: no such file or directory`);
  if (info.isFile()) return path;
  const playlists = (await readdir(path)).filter((name) => name.endsWith(".m3u8"));
  if (playlists.length === 1) return join(path, playlists[0]!);
  throw new UsageError(playlists.length === 0 ? `${location}: no .m3u8 playlist in this directory (yet): name the playlist file` : `${location}: several playlists (${playlists.join(", ")}): name one`);
}

function fileSource(file: string): PlaylistSource {
  const base = dirname(file);
  const localPath = (uri: string) => resolve(base, decodeURIComponent(uri.split(/[?#]/)[0]!));
  return {
    name: file,
    async read() {
      try {
        const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
        return { text, changedAt: info.mtimeMs };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async open(uri) {
      const path = localPath(uri);
      return new Promise((done, fail) => {
        const stream = createReadStream(path);
        stream.once("open", () => done(stream));
        stream.once("error", (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? done(null) : fail(error)));
      });
    },
    localPath,
  };
}

function urlSource(url: URL): PlaylistSource {
  return {
    name: url.origin,
    async read() {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), headers: { "cache-control": "no-cache" } });
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`the playlist answered ${response.status}`);
      return { text: await response.text(), changedAt: Date.now() };
    },
    async open(uri) {
      const response = await fetch(new URL(uri, url), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (response.status === 404 || response.status === 410) return null;
      if (!response.ok || !response.body) throw new Error(`segment ${uri} answered ${response.status}`);
      return Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
    },
  };
}
