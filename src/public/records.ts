// Public notarization (issue 9): a consumer, with no key, notarizes a file or a text by its
// SHA-256, computed in their browser; the content never reaches the service. The record goes
// through the normal records path (src/records/notarize.ts), so it is sealed and anchored like any
// other. Its subject is a fresh URN per record, owned by the public submitter: no chain ties one
// consumer's records to another's, and nobody can append to it.
//
// Anyone holding the record's id (a random UUID, 122 bits) may read its receipt: the id is the
// capability, as a bookmark of /r/{id} is. The file name and size the consumer gave are kept
// beside the record, not in it: they are labels for the receipt page, not proven.
import { randomUUID } from "node:crypto";
import type { Db } from "../db/database.ts";
import { notFound } from "../errors.ts";
import { notarize } from "../records/notarize.ts";
import { receiptOf, statusOf } from "../records/receipts.ts";
import { readRecord } from "../records/record-reads.ts";
import { PUBLIC_KINDS, type PublicRecordInputT, type PublicRecordViewT } from "../schemas/public.ts";
import { PUBLIC_SUBMITTER_KEY_ID, publicPrincipal } from "./submitter.ts";

export const publicSubjectOf = (uuid: string): string => `urn:tracemark:consumer:${uuid}`;

export const publicLinks = (id: string) => ({ self: `/v1/public/records/${id}`, page: `/r/${id}` });

export async function notarizePublic(db: Db, input: PublicRecordInputT): Promise<PublicRecordViewT> {
  const result = await notarize(db, publicPrincipal(), [{ kind: input.kind, subject: publicSubjectOf(randomUUID()), contentHash: input.contentHash, mediaType: input.mediaType }], {
    field: (_i, name) => `body.${name}`,
  });
  const id = result.ids[0]!;
  // After the record's commit: a crash in between leaves a record without its label, nothing worse.
  if (input.fileName !== undefined || input.size !== undefined) {
    await db.insertInto("public_notarizations").values({ record_id: id, file_name: input.fileName ?? null, size: input.size ?? null }).execute();
  }
  return findPublicRecord(db, id);
}

/** A public notarization by id, with its current receipt; anything else is a 404. */
export async function findPublicRecord(db: Db, id: string): Promise<PublicRecordViewT> {
  const record = await readRecord(db, id, { merchantId: null, keyId: PUBLIC_SUBMITTER_KEY_ID });
  if (!record || !(PUBLIC_KINDS as readonly string[]).includes(record.kind)) throw notFound("public record", "params.publicRecordId");
  const label = await db.selectFrom("public_notarizations").select(["file_name", "size"]).where("record_id", "=", id).executeTakeFirst();
  return {
    id: record.id,
    kind: record.kind,
    status: statusOf(record),
    recordHash: record.record_hash,
    acceptedAt: new Date(record.accepted_at).toISOString(),
    fileName: label?.file_name ?? null,
    size: label?.size === null || label?.size === undefined ? null : Number(label.size),
    receipt: receiptOf(record),
    links: publicLinks(record.id),
  };
}
