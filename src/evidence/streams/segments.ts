// HLS segments of a live stream (RFC 8216), each notarized as it is produced: a record on the
// stream's chain whose contentHash is the segment's raw-byte SHA-256 and whose `segment` member
// says which segment it is. Idempotent per (stream, rendition, media sequence number): a segment
// sent again is a duplicate, never a second record; the same number with other bytes is a 409.
import { createHash } from "node:crypto";
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { canonicalJson, type JsonValue } from "../../merkle/index.ts";
import { acceptedReceipt, statusOf } from "../../records/receipts.ts";
import { claimIdempotencyKey, findIdempotencyKey, findRecords } from "../../records/repository.ts";
import type { ReadScope } from "../../records/submitter.ts";
import type { SegmentReportT, SegmentsBodyT, SegmentViewT } from "../../schemas/streams.ts";
import type { Receipt } from "../../merkle/index.ts";
import { writeFileRecords } from "./file-records.ts";
import { findStream, lockOwnStream, refuseEnded, STREAM_KINDS } from "./streams.ts";

export const SEGMENT_MEDIA_TYPE = "video/mp2t";

export interface SegmentOutcome {
  mediaSequence: number;
  outcome: "created" | "duplicate";
  id: string;
  recordHash: string;
  receipt?: Receipt;
}

export async function submitSegments(db: Db, principal: Principal, streamId: string, body: SegmentsBodyT, idempotencyKey?: string): Promise<{ outcomes: SegmentOutcome[]; replayed: boolean }> {
  const seen = new Map<number, number>();
  body.segments.forEach((s, i) => {
    if (seen.has(s.mediaSequence)) throw new AppError("VALIDATION_FAILED", `body.segments[${i}].mediaSequence ${s.mediaSequence} is also body.segments[${seen.get(s.mediaSequence)}]`, { field: `body.segments[${i}].mediaSequence` });
    seen.set(s.mediaSequence, i);
  });
  const requestHash = createHash("sha256").update(canonicalJson({ streamId, ...body } as JsonValue)).digest("hex");
  if (idempotencyKey !== undefined) {
    const earlier = await findIdempotencyKey(db, principal.keyId, idempotencyKey);
    if (earlier && earlier.request_hash !== requestHash) {
      throw new AppError("IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request body", { field: "headers.idempotency-key" });
    }
  }
  // Chain order is media sequence order within a request.
  const ordered = body.segments.map((segment, index) => ({ segment, index })).sort((a, b) => a.segment.mediaSequence - b.segment.mediaSequence);
  const result = await db.transaction().execute(async (tx) => {
    const { stream, prev } = await lockOwnStream(tx, principal, streamId);
    const existing = await tx
      .selectFrom("stream_segments as s")
      .innerJoin("records as r", "r.id", "s.record_id")
      .select(["s.media_sequence", "s.sha256", "s.record_id", "r.record_hash"])
      .where("s.stream_id", "=", stream.id)
      .where("s.rendition", "=", body.rendition)
      .where("s.media_sequence", "in", ordered.map((o) => String(o.segment.mediaSequence)))
      .execute();
    const held = new Map(existing.map((e) => [Number(e.media_sequence), e]));
    const fresh = ordered.filter(({ segment, index }) => {
      const old = held.get(segment.mediaSequence);
      if (old && old.sha256 !== segment.sha256) {
        throw new AppError("CONFLICT", `body.segments[${index}].sha256: segment ${segment.mediaSequence} of rendition ${body.rendition} was notarized with another SHA-256 (${old.sha256})`, { field: `body.segments[${index}].sha256` });
      }
      return !old;
    });
    // A replay of segments all notarized already is answered even after the end.
    if (fresh.length > 0) refuseEnded(stream);
    const written = await writeFileRecords(tx, principal, stream.subject, prev, fresh.map(({ segment }) => ({
      kind: STREAM_KINDS.segment,
      contentHash: segment.sha256,
      mediaType: segment.mediaType ?? SEGMENT_MEDIA_TYPE,
      member: {
        name: "segment",
        value: {
          rendition: body.rendition,
          mediaSequence: segment.mediaSequence,
          uri: segment.uri,
          duration: segment.duration,
          bytes: segment.bytes,
          ...(segment.programDateTime !== undefined && { programDateTime: segment.programDateTime }),
        },
      },
    })), "params.streamId");
    if (written.length > 0) {
      await tx
        .insertInto("stream_segments")
        .values(fresh.map(({ segment }, i) => ({
          stream_id: stream.id,
          rendition: body.rendition,
          media_sequence: segment.mediaSequence,
          uri: segment.uri,
          program_date_time: segment.programDateTime ? new Date(segment.programDateTime) : null,
          duration: segment.duration,
          bytes: segment.bytes,
          sha256: segment.sha256,
          record_id: written[i]!.id,
        })))
        .execute();
    }
    const created = new Map(fresh.map(({ segment }, i) => [segment.mediaSequence, written[i]!]));
    const outcomes: SegmentOutcome[] = body.segments.map((segment) => {
      const made = created.get(segment.mediaSequence);
      if (made) return { mediaSequence: segment.mediaSequence, outcome: "created", id: made.id, recordHash: made.recordHash, receipt: acceptedReceipt(made) };
      const old = held.get(segment.mediaSequence)!;
      return { mediaSequence: segment.mediaSequence, outcome: "duplicate", id: old.record_id, recordHash: old.record_hash };
    });
    if (idempotencyKey !== undefined) {
      await claimIdempotencyKey(tx, { key_id: principal.keyId, idempotency_key: idempotencyKey, request_hash: requestHash, record_ids: JSON.stringify(outcomes.map((o) => o.id)) });
    }
    return { outcomes, replayed: written.length === 0 };
  });
  return result;
}

/**
 * The stream's segments in media sequence order per rendition, with what the chain shows: gaps
 * (media sequence numbers never notarized, including those the final playlist lists beyond the
 * ones notarized) and segments notarized after one with a higher number.
 */
export async function segmentReport(db: Db, scope: ReadScope, streamId: string, rendition?: string): Promise<SegmentReportT> {
  const stream = await findStream(db, scope, streamId);
  const rows = await db
    .selectFrom("stream_segments as s")
    .innerJoin("records as r", "r.id", "s.record_id")
    .select(["s.rendition", "s.media_sequence", "s.uri", "s.program_date_time", "s.duration", "s.bytes", "s.sha256", "s.record_id", "s.accepted_at", "r.record_hash", "r.envelope", "r.seq"])
    .where("s.stream_id", "=", stream.id)
    .$if(rendition !== undefined, (q) => q.where("s.rendition", "=", rendition!))
    .orderBy("s.rendition")
    .orderBy("s.media_sequence")
    .execute();
  const records = new Map((await findRecords(db, rows.map((r) => r.record_id))).map((r) => [r.id, r]));
  const segments: SegmentViewT[] = rows.map((r) => ({
    rendition: r.rendition,
    mediaSequence: Number(r.media_sequence),
    uri: r.uri,
    programDateTime: r.program_date_time ? new Date(r.program_date_time).toISOString() : null,
    duration: r.duration,
    bytes: Number(r.bytes),
    sha256: r.sha256,
    id: r.record_id,
    recordHash: r.record_hash,
    prev: (JSON.parse(r.envelope) as { prev: string | null }).prev,
    status: statusOf(records.get(r.record_id)!),
    acceptedAt: new Date(r.accepted_at).toISOString(),
  }));
  const finalPlaylist = await finalPlaylistOf(db, stream.final_record_id);
  const names = [...new Set(rows.map((r) => r.rendition))];
  if (finalPlaylist && !names.includes(finalPlaylist.rendition) && (rendition === undefined || rendition === finalPlaylist.rendition)) names.push(finalPlaylist.rendition);
  const renditions = names.map((name) => {
    const mine = rows.filter((r) => r.rendition === name);
    const numbers = mine.map((r) => Number(r.media_sequence));
    const gaps: Array<{ from: number; to: number; missing: number }> = [];
    const gap = (from: number, to: number) => void (to >= from && gaps.push({ from, to, missing: to - from + 1 }));
    const range = finalPlaylist?.rendition === name ? finalPlaylist : null;
    if (range && numbers.length === 0) gap(range.firstMediaSequence, range.lastMediaSequence);
    if (range && numbers.length > 0) gap(range.firstMediaSequence, numbers[0]! - 1);
    for (let i = 1; i < numbers.length; i++) gap(numbers[i - 1]! + 1, numbers[i]! - 1);
    if (range && numbers.length > 0) gap(numbers.at(-1)! + 1, range.lastMediaSequence);
    // In chain order (records.seq), a segment below the highest number before it came late.
    const outOfOrder: number[] = [];
    let highest = -1;
    for (const r of [...mine].sort((a, b) => Number(BigInt(a.seq) - BigInt(b.seq)))) {
      const n = Number(r.media_sequence);
      if (n < highest) outOfOrder.push(n);
      highest = Math.max(highest, n);
    }
    return {
      rendition: name,
      count: numbers.length,
      firstMediaSequence: numbers[0] ?? null,
      lastMediaSequence: numbers.at(-1) ?? null,
      bytes: mine.reduce((sum, r) => sum + Number(r.bytes), 0),
      gaps,
      outOfOrder,
    };
  });
  return { streamId: stream.id, status: stream.status, renditions, segments };
}

async function finalPlaylistOf(db: Db, recordId: string | null): Promise<{ rendition: string; firstMediaSequence: number; lastMediaSequence: number } | null> {
  if (recordId === null) return null;
  const row = await db.selectFrom("records").select("envelope").where("id", "=", recordId).executeTakeFirst();
  if (!row) return null;
  return (JSON.parse(row.envelope) as { playlist: { rendition: string; firstMediaSequence: number; lastMediaSequence: number } }).playlist;
}
