// Issue 10's live-stream figure: segment notarization lag, from a segment appearing in the live
// playlist to the service's 202 for it, p95 (target <= 1 s). A real stream: ffmpeg encodes a test
// pattern in real time into HLS (1 s segments) in a directory; `tracemark stream watch`'s engine
// (src/stream-watch/watch.ts, the CLI's defaults: 250 ms polls, batches of 10) follows the
// playlist and notarizes each segment through the service in a child process, pipeline on. A
// segment "appears" when the playlist that lists it is written (its mtime; ffmpeg renames a whole
// file into place).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiClient } from "../../src/import/api.ts";
import { sourceOf } from "../../src/stream-watch/source.ts";
import { watchStream } from "../../src/stream-watch/watch.ts";
import { PLAYLIST, startLiveHls } from "../lib/hls-live.ts";
import { startBenchServer } from "./server.ts";
import { percentile } from "./support.ts";

export const SEGMENT_LAG_TARGET_MS = 1_000;

export interface SegmentsResult { seconds: number; segments: number; bytes: number; p50Ms: number; p95Ms: number; maxMs: number; ended: boolean }

export async function benchSegments(options: { databaseUrl: string | undefined; seconds?: number }): Promise<SegmentsResult> {
  const seconds = options.seconds ?? 30;
  const server = await startBenchServer(options.databaseUrl, { PIPELINE: "on", LOG_LEVEL: "warn" });
  const dir = await mkdtemp(join(tmpdir(), "tracemark-bench-hls-"));
  try {
    const api = apiClient(server.url, server.token);
    const opened = await api.send("POST", "/v1/streams", { json: { platform: "Bench", roomUrl: "https://live.example/bench", host: "Bench host" } });
    if (opened.status !== 201) throw new Error(`POST /v1/streams answered ${opened.status}`);
    const streamId = (opened.body as { stream: { id: string } }).stream.id;
    const live = startLiveHls(dir, { seconds });
    try {
      // The watcher starts before the playlist exists, as at the start of a real stream.
      const end = await watchStream(api, await waitForSource(dir), { streamId, rendition: "main", batch: 10, pollMs: 250, idleMs: 30_000, missingPolls: 8, maxSegments: null, interrupted: () => false });
      await live.done;
      const lags = [...end.totals.lagsMs].sort((a, b) => a - b);
      return { seconds, segments: end.totals.segments, bytes: end.totals.bytes, p50Ms: percentile(lags, 50), p95Ms: percentile(lags, 95), maxMs: lags.at(-1) ?? NaN, ended: end.status === "ended" };
    } finally {
      live.stop();
    }
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitForSource(dir: string) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    try {
      return await sourceOf(join(dir, PLAYLIST));
    } catch {
      // not written yet
    }
  }
  throw new Error("ffmpeg wrote no playlist in 30 s");
}
