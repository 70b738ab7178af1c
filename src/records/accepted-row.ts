// The one place an envelope becomes an accepted records row (DESIGN.md "Records and hashing"):
// recordHash = SHA-256 of the envelope's RFC 8785 bytes; leafHash = SHA-256(0x00 || salt ||
// recordHash), the RFC 9162 leaf. Domain writes (products, lots, items, EPCIS events) share it.
import { randomUUID } from "node:crypto";
import type { Principal } from "../auth/api-keys.ts";
import { leafHashBytes, sha256Hex } from "../merkle/index.ts";
import type { NewAcceptedRecord } from "./repository.ts";

/** `envelopeText` must be the canonical (RFC 8785) text of the envelope whose `kind` and `subject` are given. */
export function acceptedRow(
  envelope: { kind: string; subject: string; text: string },
  salt: Buffer,
  principal: Pick<Principal, "keyId" | "merchantId">,
): NewAcceptedRecord {
  const recordHash = sha256Hex(envelope.text);
  return {
    id: randomUUID(),
    kind: envelope.kind,
    subject: envelope.subject,
    envelope: envelope.text,
    record_hash: recordHash,
    salt: salt.toString("hex"),
    leaf_hash: leafHashBytes(salt, Buffer.from(recordHash, "hex")).toString("hex"),
    submitter_key_id: principal.keyId,
    merchant_id: principal.merchantId,
  };
}
