// Records whose content is a file (an HLS segment, a playlist), on a stream's chain. The envelope's
// contentHash is the file's raw-byte SHA-256 (DESIGN.md "Records and hashing": what `sha256sum`
// prints, so `tracemark verify --content <file>` checks it), and an extra envelope member (allowed
// by envelope v1 and covered by recordHash) carries what the file is: a segment's rendition and
// media sequence number, a playlist's range. No payload is stored: the file is the payload.
import { randomBytes } from "node:crypto";
import type { Principal } from "../../auth/api-keys.ts";
import { AppError } from "../../errors.ts";
import { canonicalJson, type Envelope, type JsonValue } from "../../merkle/index.ts";
import { acceptedRow } from "../../records/accepted-row.ts";
import { insertRecords, type NewAcceptedRecord } from "../../records/repository.ts";
import { ownerOf, submitterOf } from "../../records/submitter.ts";
import type { Tx, WrittenRecord } from "../../trace/domain-write.ts";

export interface FileRecordInput {
  kind: string;
  contentHash: string;
  mediaType: string;
  /** The extra envelope member: its name and value. */
  member: { name: string; value: JsonValue };
}

/**
 * Inserts the records in `tx`, chained in the order given from `prev` (the subject's head, read
 * under lockSubject), and moves the subject's head to the last one.
 */
export async function writeFileRecords(tx: Tx, principal: Principal, subject: string, prev: string | null, inputs: readonly FileRecordInput[], field: string): Promise<WrittenRecord[]> {
  if (inputs.length === 0) return [];
  const submittedAt = new Date().toISOString();
  const submitter = submitterOf(principal);
  const salts = randomBytes(32 * inputs.length);
  const rows: NewAcceptedRecord[] = [];
  const written: WrittenRecord[] = [];
  let head = prev;
  inputs.forEach((input, i) => {
    const envelope: Envelope = {
      v: 1,
      kind: input.kind,
      subject,
      contentHash: input.contentHash,
      mediaType: input.mediaType,
      submitter,
      submittedAt,
      prev: head,
      [input.member.name]: input.member.value,
    };
    const row = acceptedRow({ kind: input.kind, subject, text: canonicalJson(envelope as JsonValue) }, salts.subarray(32 * i, 32 * i + 32), principal);
    rows.push(row);
    written.push({ id: row.id, envelope, recordHash: row.record_hash, salt: row.salt });
    head = row.record_hash;
  });
  const foreign = await insertRecords(tx, ownerOf(principal), rows);
  if (foreign.length > 0) throw new AppError("CONFLICT", `${field}: the subject ${subject} already holds records of another submitter`, { field });
  return written;
}
