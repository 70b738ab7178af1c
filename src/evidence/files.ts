// Evidence files (issue 10, item 1): an upload is streamed into the blob store, hashed on the
// way, then notarized as a private `evidence.file` record whose contentHash is the SHA-256 of the
// raw bytes (`sha256sum` agrees), with the file's name, media type and size as envelope members.
// The blob is stored first and the row and record committed after it, in one transaction: a
// crash before the commit leaves at most bytes without a record (a temporary file, swept at the
// next start, or a complete blob nobody can download), never a record without its bytes.
//
// Each upload is a subject of its own, `urn:tracemark:file:{id}`: the record proves that this
// merchant held these bytes at that time, whatever else (an order, a qualification) refers to them.
import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import { canonicalJson, type Envelope } from "../merkle/index.ts";
import { acceptedRow } from "../records/accepted-row.ts";
import { insertRecords } from "../records/repository.ts";
import { takeSalts } from "../records/salts.ts";
import { ownerOf, submitterOf } from "../records/submitter.ts";
import type { StoredBlob } from "./blobs/index.ts";

export const EVIDENCE_FILE_KIND = "evidence.file";

export const fileSubject = (id: string) => `urn:tracemark:file:${id}`;

export interface EvidenceFile {
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  name: string;
  merchantId: string;
  createdAt: string;
}

export interface UploadedFile {
  file: EvidenceFile;
  record: { id: string; envelope: Envelope; recordHash: string; salt: string };
  /** False when the store held these bytes already (another upload of the same file). */
  storedNow: boolean;
}

export interface FileUpload {
  /** What the blob store answered for the bytes (BlobStore.put). */
  stored: StoredBlob;
  name: string;
  mediaType: string;
}

/**
 * Notarizes an upload whose bytes the blob store holds already; the principal must be a
 * merchant's. Called only after the whole request was read and found well-formed.
 */
export async function notarizeUpload(db: Db, principal: Principal, upload: FileUpload): Promise<UploadedFile> {
  const merchantId = principal.merchantId;
  if (merchantId === null) throw new Error("evidence files are uploaded by merchants");
  const { stored } = upload;
  const id = randomUUID();
  const envelope: Envelope = {
    v: 1,
    kind: EVIDENCE_FILE_KIND,
    subject: fileSubject(id),
    // DESIGN.md: the contentHash of a file is the SHA-256 of its raw bytes.
    contentHash: stored.sha256,
    mediaType: upload.mediaType,
    submitter: submitterOf(principal),
    submittedAt: new Date().toISOString(),
    prev: null,
    name: upload.name,
    size: stored.size,
  };
  const row = acceptedRow({ kind: EVIDENCE_FILE_KIND, subject: envelope.subject, text: canonicalJson(envelope) }, takeSalts(1), principal);
  const created = await db.transaction().execute(async (tx) => {
    const foreign = await insertRecords(tx, ownerOf(principal), [row]);
    if (foreign.length > 0) throw new Error(`a fresh file subject ${envelope.subject} was taken`);
    return tx
      .insertInto("evidence_files")
      .values({ id, sha256: stored.sha256, size: stored.size, media_type: upload.mediaType, name: upload.name, merchant_id: merchantId, submitter_key_id: principal.keyId, record_id: row.id })
      .returning("created_at")
      .executeTakeFirstOrThrow();
  });
  return {
    file: { id, sha256: stored.sha256, size: stored.size, mediaType: upload.mediaType, name: upload.name, merchantId, createdAt: new Date(created.created_at).toISOString() },
    record: { id: row.id, envelope, recordHash: row.record_hash, salt: row.salt },
    storedNow: stored.created,
  };
}

/**
 * The newest upload of these bytes that `principal` may read (DESIGN.md "Visibility": the
 * uploading merchant, mediators, the operator), or null: a file another merchant uploaded is
 * answered exactly like a file nobody uploaded.
 */
export async function findReadableFile(db: Db, principal: Principal, sha256: string): Promise<EvidenceFile | null> {
  const everyone = principal.role === "mediator" || principal.role === "admin";
  if (!everyone && principal.merchantId === null) return null;
  const row = await db
    .selectFrom("evidence_files")
    .select(["id", "sha256", "size", "media_type", "name", "merchant_id", "created_at"])
    .where("sha256", "=", sha256)
    .$if(!everyone, (q) => q.where("merchant_id", "=", principal.merchantId!))
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? toFile(row) : null;
}

/** One of the merchant's uploads by its id, or null. */
export async function findOwnFile(db: Db, merchantId: string, id: string): Promise<EvidenceFile | null> {
  const row = await db
    .selectFrom("evidence_files")
    .select(["id", "sha256", "size", "media_type", "name", "merchant_id", "created_at"])
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .executeTakeFirst();
  return row ? toFile(row) : null;
}

function toFile(row: { id: string; sha256: string; size: string; media_type: string; name: string; merchant_id: string; created_at: Date }): EvidenceFile {
  return {
    id: row.id,
    sha256: row.sha256,
    size: Number(row.size),
    mediaType: row.media_type,
    name: row.name,
    merchantId: row.merchant_id,
    createdAt: new Date(row.created_at).toISOString(),
  };
}
