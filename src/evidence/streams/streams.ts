// Live streams (issue 10, DESIGN.md "Subjects and chains"): a merchant opens a stream on the
// subject urn:tracemark:stream:{uuid}; its claims, segments and final playlist are records on that
// subject, one chain (prev), written one at a time under the subject's row lock (lockSubject).
import { randomUUID } from "node:crypto";
import type { Principal } from "../../auth/api-keys.ts";
import type { Db } from "../../db/database.ts";
import type { StreamRow } from "../../db/streams.table.ts";
import { AppError, notFound } from "../../errors.ts";
import type { ReadScope } from "../../records/submitter.ts";
import type { EndStreamBodyT, OpenStreamBodyT, StreamViewT } from "../../schemas/streams.ts";
import { lockSubject, prevFor, writeDomainRecord, type Tx, type WrittenRecord } from "../../trace/domain-write.ts";
import { gtin14Of } from "../../trace/gs1-input.ts";
import { merchantUrn } from "../../trace/subjects.ts";
import { writeFileRecords } from "./file-records.ts";

export const streamSubject = (id: string): string => `urn:tracemark:stream:${id}`;

/** Record kinds of a stream's chain. */
export const STREAM_KINDS = { opened: "stream.opened", claim: "stream.claim", segment: "stream.segment", ended: "stream.ended" } as const;

export const PLAYLIST_MEDIA_TYPE = "application/vnd.apple.mpegurl";

export function streamView(row: StreamRow): StreamViewT {
  return {
    id: row.id,
    subject: row.subject,
    merchantId: row.merchant_id,
    platform: row.platform,
    roomUrl: row.room_url,
    host: row.host,
    plannedProducts: row.planned_gtins,
    public: row.public,
    status: row.status,
    openedAt: new Date(row.opened_at).toISOString(),
    endedAt: row.ended_at ? new Date(row.ended_at).toISOString() : null,
    finalPlaylistSha256: row.final_playlist_sha256,
    openedRecordId: row.opened_record_id,
    finalRecordId: row.final_record_id,
  };
}

const merchantOf = (principal: Principal, what: string): string => {
  if (principal.merchantId === null) throw new AppError("FORBIDDEN", `only a merchant ${what}`);
  return principal.merchantId;
};

export async function openStream(db: Db, principal: Principal, body: OpenStreamBodyT): Promise<{ stream: StreamViewT; record: WrittenRecord }> {
  const merchantId = merchantOf(principal, "opens streams");
  const planned = [...new Set((body.plannedProducts ?? []).map((gtin, i) => gtin14Of(gtin, `body.plannedProducts[${i}]`)))];
  const id = randomUUID();
  const subject = streamSubject(id);
  const isPublic = body.public ?? false;
  return db.transaction().execute(async (tx) => {
    const prev = prevFor(await lockSubject(tx, subject), principal, subject, "body");
    const payload = { type: "stream", stream: subject, merchant: merchantUrn(merchantId), platform: body.platform, roomUrl: body.roomUrl, host: body.host, plannedProducts: planned, public: isPublic };
    const record = await writeDomainRecord(tx, principal, { kind: STREAM_KINDS.opened, subject, payload, prev }, "body");
    const row = await tx
      .insertInto("streams")
      .values({ id, merchant_id: merchantId, subject, platform: body.platform, room_url: body.roomUrl, host: body.host, planned_gtins: JSON.stringify(planned), public: isPublic, status: "live", opened_record_id: record.id })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { stream: streamView(row), record };
  });
}

/** The stream as `scope` may see it; another merchant's is a 404 as if it did not exist. */
export async function findStream(db: Db | Tx, scope: ReadScope, streamId: string): Promise<StreamRow> {
  const row = await db
    .selectFrom("streams")
    .selectAll()
    .where("id", "=", streamId)
    .$if(scope !== "all", (q) => q.where("merchant_id", "=", (scope as { merchantId: string | null }).merchantId ?? "00000000-0000-0000-0000-000000000000"))
    .executeTakeFirst();
  if (!row) throw notFound("stream", "params.streamId");
  return row;
}

/**
 * Locks the merchant's stream's subject for this transaction (every write to the stream's chain
 * goes through here, so they are serialised) and returns the stream and the chain's head.
 */
export async function lockOwnStream(tx: Tx, principal: Principal, streamId: string): Promise<{ stream: StreamRow; prev: string | null }> {
  const merchantId = merchantOf(principal, "writes to streams");
  // The stream's own row first (a 404 for anyone else's), then its subject's lock.
  const found = await findStream(tx, { merchantId, keyId: null }, streamId);
  const prev = prevFor(await lockSubject(tx, found.subject), principal, found.subject, "params.streamId");
  // Read again under the lock: an end that committed while this waited is seen.
  const stream = await findStream(tx, { merchantId, keyId: null }, streamId);
  return { stream, prev };
}

export function refuseEnded(stream: StreamRow): void {
  if (stream.status === "ended") {
    throw new AppError("CONFLICT", `params.streamId: the stream ended at ${new Date(stream.ended_at!).toISOString()}; nothing more can be added to it`, { field: "params.streamId" });
  }
}

/**
 * Ends the stream with its final media playlist (the one with #EXT-X-ENDLIST), notarized by its
 * raw-byte SHA-256. Sending the same end again answers as the first did; another playlist is a 409.
 */
export async function endStream(db: Db, principal: Principal, streamId: string, body: EndStreamBodyT): Promise<{ stream: StreamViewT; record: WrittenRecord | null }> {
  if (body.playlist.lastMediaSequence < body.playlist.firstMediaSequence) {
    throw new AppError("VALIDATION_FAILED", "body.playlist.lastMediaSequence is below firstMediaSequence", { field: "body.playlist.lastMediaSequence" });
  }
  return db.transaction().execute(async (tx) => {
    const { stream, prev } = await lockOwnStream(tx, principal, streamId);
    if (stream.status === "ended") {
      if (stream.final_playlist_sha256 === body.playlist.sha256) return { stream: streamView(stream), record: null };
      refuseEnded(stream);
    }
    const [record] = await writeFileRecords(tx, principal, stream.subject, prev, [{
      kind: STREAM_KINDS.ended,
      contentHash: body.playlist.sha256,
      mediaType: PLAYLIST_MEDIA_TYPE,
      member: { name: "playlist", value: { rendition: body.rendition, bytes: body.playlist.bytes, segments: body.playlist.segments, firstMediaSequence: body.playlist.firstMediaSequence, lastMediaSequence: body.playlist.lastMediaSequence } },
    }], "params.streamId");
    const row = await tx
      .updateTable("streams")
      .set({ status: "ended", ended_at: new Date(), final_playlist_sha256: body.playlist.sha256, final_record_id: record!.id })
      .where("id", "=", stream.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { stream: streamView(row), record: record! };
  });
}
