// A real live HLS stream on this machine, for the stream-watch test and the `segments` bench part:
// ffmpeg encodes a generated test pattern (testsrc + a sine tone) in real time (-re) into an HLS
// media playlist and its MPEG-TS segments in a directory, listing each segment once it is whole
// (temp_file), with EXT-X-PROGRAM-DATE-TIME on every segment; and a loopback HTTP server serves
// that directory as it grows.
import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, normalize } from "node:path";

export const PLAYLIST = "stream.m3u8";

export interface LiveHls {
  /** Resolves when ffmpeg has written the final playlist (#EXT-X-ENDLIST). */
  done: Promise<void>;
  stop(): void;
}

export function startLiveHls(dir: string, options: { seconds: number; segmentSeconds?: number }): LiveHls {
  const segment = options.segmentSeconds ?? 1;
  const child = spawn(
    "ffmpeg",
    [
      "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
      "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25",
      "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
      "-t", String(options.seconds),
      "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", String(25 * segment), "-keyint_min", String(25 * segment), "-sc_threshold", "0",
      "-c:a", "aac", "-b:a", "64k",
      "-f", "hls", "-hls_time", String(segment), "-hls_list_size", "0", "-hls_flags", "temp_file+program_date_time+independent_segments",
      "-hls_segment_filename", join(dir, "seg%03d.ts"),
      join(dir, PLAYLIST),
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-4_000)));
  const done = new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${signal ?? `code ${code}`}: ${stderr}`))));
  });
  const killAtExit = () => child.kill("SIGKILL");
  process.once("exit", killAtExit);
  void done.finally(() => process.off("exit", killAtExit)).catch(() => {});
  return { done, stop: () => void child.kill("SIGKILL") };
}

/** Serves `dir` on 127.0.0.1; `hidden` names files answered 404 as if deleted. */
export async function serveDirectory(dir: string, hidden: ReadonlySet<string> = new Set()): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const name = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://x").pathname)).replace(/^\/+/, "");
    const path = join(dir, name);
    const info = name.includes("..") || hidden.has(name) ? null : await stat(path).catch(() => null);
    if (!info?.isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": name.endsWith(".m3u8") ? "application/vnd.apple.mpegurl" : "video/mp2t", "content-length": info.size, "cache-control": "no-cache" });
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
