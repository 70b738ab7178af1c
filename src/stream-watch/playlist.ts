// A media playlist's segments as Tracemark notarizes them (RFC 8216 §4.3.2, §6.3.2): each with its
// Media Sequence Number (EXT-X-MEDIA-SEQUENCE plus its position), URI, EXTINF duration and
// EXT-X-PROGRAM-DATE-TIME; and whether the playlist is final (EXT-X-ENDLIST, §4.3.3.4).
import { createHash } from "node:crypto";
import HLS from "hls-parser";
import type { Readable } from "node:stream";
import { UsageError } from "../cli/usage-error.ts";

export interface PlaylistSegment {
  mediaSequence: number;
  uri: string;
  duration: number;
  programDateTime?: string;
}

export interface MediaPlaylistView {
  segments: PlaylistSegment[];
  endList: boolean;
  targetDuration: number;
}

export function parseMediaPlaylist(text: string): MediaPlaylistView {
  let playlist;
  try {
    playlist = HLS.parse(text);
  } catch (error) {
    throw new UsageError(`not an HLS playlist: ${(error as Error).message}`);
  }
  if (playlist.isMasterPlaylist) throw new UsageError("this is a multivariant (master) playlist: give the media playlist of one rendition");
  const media = playlist as HLS.types.MediaPlaylist;
  const base = media.mediaSequenceBase ?? 0;
  return {
    endList: media.endlist,
    targetDuration: media.targetDuration,
    segments: media.segments.map((s, i) => ({
      mediaSequence: base + i,
      uri: s.uri,
      duration: s.duration,
      ...(s.programDateTime && { programDateTime: s.programDateTime.toISOString() }),
    })),
  };
}

/** SHA-256 and size of a stream, read chunk by chunk. */
export async function hashStream(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}
