// `tracemark stream check`: compares a recording (a directory with its media playlist and
// segments) with what the service notarized for the stream: each notarized segment's file must be
// there with the SHA-256 notarized, the media sequence numbers must have no gaps, every segment the
// playlist lists must be notarized, and an ended stream's final playlist must be this one.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ApiClient } from "../import/api.ts";
import { hashStream, parseMediaPlaylist } from "./playlist.ts";
import type { PlaylistSource } from "./source.ts";
import { UsageError } from "../cli/usage-error.ts";
import { ApiRefused } from "./watch.ts";

export type Finding =
  | { problem: "altered"; mediaSequence: number; uri: string; notarized: string; found: string }
  | { problem: "missing-file"; mediaSequence: number; uri: string }
  | { problem: "gap"; from: number; to: number; missing: number }
  | { problem: "not-notarized"; mediaSequence: number; uri: string }
  | { problem: "playlist-differs"; notarized: string; found: string };

export interface CheckReport {
  streamId: string;
  rendition: string;
  status: string;
  checked: number;
  matching: number;
  findings: Finding[];
}

interface ServerSegment { mediaSequence: number; uri: string; sha256: string; bytes: number }
interface ServerReport {
  status: string;
  renditions: Array<{ rendition: string; gaps: Array<{ from: number; to: number; missing: number }> }>;
  segments: ServerSegment[];
}

export async function checkStream(api: ApiClient, source: PlaylistSource, streamId: string, rendition: string): Promise<CheckReport> {
  if (!source.localPath) throw new UsageError("stream check reads a recording on this machine: give its directory or playlist file");
  const base = `/v1/streams/${encodeURIComponent(streamId)}`;
  const stream = await api.send("GET", base);
  if (stream.status === 404) throw new UsageError(`no stream ${streamId} visible to this key`);
  if (stream.status !== 200) throw new ApiRefused(`GET ${base}`, stream);
  const answer = await api.send("GET", `${base}/segments?rendition=${encodeURIComponent(rendition)}`);
  if (answer.status !== 200) throw new ApiRefused(`GET ${base}/segments`, answer);
  const report = answer.body as ServerReport;
  const findings: Finding[] = [];
  let matching = 0;
  for (const segment of report.segments) {
    const body = await source.open(segment.uri);
    if (body === null) {
      findings.push({ problem: "missing-file", mediaSequence: segment.mediaSequence, uri: segment.uri });
      continue;
    }
    const { sha256 } = await hashStream(body);
    if (sha256 === segment.sha256) matching++;
    else findings.push({ problem: "altered", mediaSequence: segment.mediaSequence, uri: segment.uri, notarized: segment.sha256, found: sha256 });
  }
  for (const gap of report.renditions.find((r) => r.rendition === rendition)?.gaps ?? []) findings.push({ problem: "gap", ...gap });
  const read = await source.read();
  if (read !== null) {
    const notarized = new Set(report.segments.map((s) => s.mediaSequence));
    const inGap = (n: number) => findings.some((f) => f.problem === "gap" && n >= f.from && n <= f.to);
    for (const s of parseMediaPlaylist(read.text).segments) {
      if (!notarized.has(s.mediaSequence) && !inGap(s.mediaSequence)) findings.push({ problem: "not-notarized", mediaSequence: s.mediaSequence, uri: s.uri });
    }
    const final = (stream.body as { finalPlaylistSha256: string | null }).finalPlaylistSha256;
    const found = createHash("sha256").update(await readFile(source.name)).digest("hex");
    if (final !== null && final !== found) findings.push({ problem: "playlist-differs", notarized: final, found });
  }
  return { streamId, rendition, status: report.status, checked: report.segments.length, matching, findings };
}

export function describeFinding(f: Finding): string {
  switch (f.problem) {
    case "altered":
      return `✗ segment ${f.mediaSequence} (${f.uri}): the file's SHA-256 ${f.found} is not the one notarized, ${f.notarized}`;
    case "missing-file":
      return `✗ segment ${f.mediaSequence} (${f.uri}): notarized, but the file is not in the recording`;
    case "gap":
      return `✗ gap: segment${f.missing > 1 ? `s ${f.from}–${f.to}` : ` ${f.from}`} never notarized (${f.missing} missing from the chain)`;
    case "not-notarized":
      return `✗ segment ${f.mediaSequence} (${f.uri}): in the playlist, never notarized`;
    case "playlist-differs":
      return `✗ the playlist's SHA-256 ${f.found} is not the final playlist notarized, ${f.notarized}`;
  }
}
