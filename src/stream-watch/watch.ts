// `tracemark stream watch`: follows a live HLS media playlist and notarizes each segment as it
// appears. The service is the only memory: at start the watcher asks it which segments of the
// rendition it holds and goes on after them, so a restart leaves neither gaps nor duplicates (and
// the service is idempotent per media sequence number, so a batch in flight when the watcher died
// is answered as duplicates when it is sent again). On #EXT-X-ENDLIST it notarizes the final
// playlist, which ends the stream.
import { createHash } from "node:crypto";
import { reasonOf, type ApiClient } from "../import/api.ts";
import { hashStream, parseMediaPlaylist, type PlaylistSegment } from "./playlist.ts";
import type { PlaylistSource } from "./source.ts";
import { UsageError } from "../cli/usage-error.ts";

export interface WatchOptions {
  streamId: string;
  rendition: string;
  /** Segments per request. */
  batch: number;
  /** How often the playlist is read again, ms. */
  pollMs: number;
  /** Give up (exit "stopped") when the playlist has not changed for this long without ending. */
  idleMs: number;
  /** Polls a segment the playlist lists may stay unreadable before it is given up as a gap. */
  missingPolls: number;
  /** Stop after this many segments were sent (a test of restarts), as if interrupted. */
  maxSegments: number | null;
  /** Checked between batches: true stops the watch (Ctrl-C). */
  interrupted(): boolean;
}

export interface SegmentSent {
  mediaSequence: number;
  bytes: number;
  /** When the segment appeared in the playlist (the playlist's change time), ms since the epoch. */
  appearedAt: number;
  /** When the service answered 202. */
  acceptedAt: number;
  outcome: "created" | "duplicate";
}

export interface WatchEvents {
  resumed?(held: number, last: number | null): void;
  sent?(batch: SegmentSent[], totals: WatchTotals): void;
  gap?(segment: PlaylistSegment, reason: string): void;
  waiting?(what: string): void;
}

export interface WatchTotals {
  /** Segments the playlist lists, as last read. */
  listed: number;
  segments: number;
  bytes: number;
  gaps: number;
  lagsMs: number[];
}

export type WatchEnd = { status: "ended"; playlistSha256: string; totals: WatchTotals } | { status: "stopped" | "stalled"; totals: WatchTotals };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ApiRefused extends Error {
  constructor(what: string, answer: { status: number; body: unknown }) {
    const reason = reasonOf(answer);
    super(`${what}: ${answer.status} ${reason.code}: ${reason.message}`);
    this.name = "ApiRefused";
  }
}

/** The Idempotency-Key of a batch: the same segments of the same stream give the same key, in any run. */
export const batchKeyOf = (streamId: string, rendition: string, segments: Array<{ mediaSequence: number; sha256: string }>) =>
  `tms-${createHash("sha256").update(`tracemark-stream:${streamId}:${rendition}:${segments.map((s) => `${s.mediaSequence}=${s.sha256}`).join(",")}`).digest("hex").slice(0, 40)}`;

export async function watchStream(api: ApiClient, source: PlaylistSource, options: WatchOptions, events: WatchEvents = {}): Promise<WatchEnd> {
  const base = `/v1/streams/${encodeURIComponent(options.streamId)}`;
  const stream = await api.send("GET", base);
  if (stream.status === 404) throw new UsageError(`no stream ${options.streamId} of this key's merchant`);
  if (stream.status !== 200) throw new ApiRefused(`GET ${base}`, stream);
  const held = await api.send("GET", `${base}/segments?rendition=${encodeURIComponent(options.rendition)}`);
  if (held.status !== 200) throw new ApiRefused(`GET ${base}/segments`, held);
  const done = new Set((held.body as { segments: Array<{ mediaSequence: number }> }).segments.map((s) => s.mediaSequence));
  const totals: WatchTotals = { listed: 0, segments: 0, bytes: 0, gaps: 0, lagsMs: [] };
  events.resumed?.(done.size, done.size > 0 ? Math.max(...done) : null);
  const ended = (stream.body as { status: string }).status === "ended";

  const firstSeen = new Map<number, number>();
  const misses = new Map<number, number>();
  const gaps = new Set<number>();
  let lastText: string | null = null;
  let lastChange = Date.now();
  let sentThisRun = 0;

  for (;;) {
    const read = await source.read();
    if (read === null) {
      events.waiting?.("the playlist is not there yet");
    } else {
      if (read.text !== lastText) {
        lastText = read.text;
        lastChange = Date.now();
      }
      const playlist = parseMediaPlaylist(read.text);
      totals.listed = playlist.segments.length;
      const pending = playlist.segments.filter((s) => !done.has(s.mediaSequence) && !gaps.has(s.mediaSequence));
      // The first read after a start cannot tell when its segments appeared; later ones use the
      // playlist's change time.
      for (const s of pending) if (!firstSeen.has(s.mediaSequence)) firstSeen.set(s.mediaSequence, Math.min(read.changedAt, Date.now()));
      if (pending.length > 0 && ended) throw new UsageError(`the stream ${options.streamId} has ended: segment ${pending[0]!.mediaSequence} can no longer be notarized`);
      let batch: Array<PlaylistSegment & { sha256: string; bytes: number }> = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await sendBatch(api, base, options, batch, firstSeen, done, totals, events);
        sentThisRun += batch.length;
        batch = [];
      };
      for (const segment of pending) {
        if (options.interrupted() || (options.maxSegments !== null && sentThisRun + batch.length >= options.maxSegments)) {
          await flush();
          return { status: "stopped", totals };
        }
        const body = await source.open(segment.uri);
        if (body === null) {
          // Not readable (deleted, or not written yet): wait a few polls, then it is a gap.
          const missed = (misses.get(segment.mediaSequence) ?? 0) + 1;
          misses.set(segment.mediaSequence, missed);
          if (missed >= options.missingPolls) {
            gaps.add(segment.mediaSequence);
            totals.gaps++;
            events.gap?.(segment, "listed in the playlist but could not be read: left as a gap");
            continue;
          }
          break; // keep the chain in order: later segments wait for this one
        }
        batch.push({ ...segment, ...(await hashStream(body)) });
        if (batch.length >= options.batch) await flush();
      }
      await flush();
      if (playlist.endList && playlist.segments.every((s) => done.has(s.mediaSequence) || gaps.has(s.mediaSequence))) {
        const bytes = Buffer.from(read.text, "utf8");
        const playlistSha256 = createHash("sha256").update(bytes).digest("hex");
        const first = playlist.segments[0]?.mediaSequence ?? 0;
        const answer = await api.send("POST", `${base}/end`, {
          json: { rendition: options.rendition, playlist: { sha256: playlistSha256, bytes: bytes.length, segments: playlist.segments.length, firstMediaSequence: first, lastMediaSequence: playlist.segments.at(-1)?.mediaSequence ?? first } },
        });
        if (answer.status !== 200) throw new ApiRefused(`POST ${base}/end`, answer);
        return { status: "ended", playlistSha256, totals };
      }
    }
    if (options.interrupted()) return { status: "stopped", totals };
    if (Date.now() - lastChange > options.idleMs) return { status: "stalled", totals };
    await sleep(options.pollMs);
  }
}

async function sendBatch(
  api: ApiClient,
  base: string,
  options: WatchOptions,
  batch: Array<PlaylistSegment & { sha256: string; bytes: number }>,
  firstSeen: Map<number, number>,
  done: Set<number>,
  totals: WatchTotals,
  events: WatchEvents,
): Promise<void> {
  const segments = batch.map((s) => ({
    mediaSequence: s.mediaSequence,
    uri: s.uri,
    duration: s.duration,
    bytes: s.bytes,
    sha256: s.sha256,
    ...(s.programDateTime !== undefined && { programDateTime: s.programDateTime }),
  }));
  const answer = await api.send("POST", `${base}/segments`, { json: { rendition: options.rendition, segments }, idempotencyKey: batchKeyOf(options.streamId, options.rendition, segments) });
  if (answer.status !== 202) throw new ApiRefused(`POST ${base}/segments`, answer);
  const acceptedAt = Date.now();
  const outcomes = new Map((answer.body as { segments: Array<{ mediaSequence: number; outcome: "created" | "duplicate" }> }).segments.map((o) => [o.mediaSequence, o.outcome]));
  const sent: SegmentSent[] = batch.map((s) => ({ mediaSequence: s.mediaSequence, bytes: s.bytes, appearedAt: firstSeen.get(s.mediaSequence) ?? acceptedAt, acceptedAt, outcome: outcomes.get(s.mediaSequence) ?? "created" }));
  for (const s of sent) {
    done.add(s.mediaSequence);
    totals.segments++;
    totals.bytes += s.bytes;
    totals.lagsMs.push(s.acceptedAt - s.appearedAt);
  }
  events.sent?.(sent, totals);
}
