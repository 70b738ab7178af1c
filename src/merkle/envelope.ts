// The record envelope v1 (DESIGN.md "Records and hashing", docs/receipt-v1.md "recordHash"):
// the JSON object whose RFC 8785 canonical bytes are hashed into a record's recordHash.
import Type from "typebox";
import type { Static } from "typebox";
import { canonicalBytes, sha256Hex } from "./canonical.ts";
import type { JsonValue } from "./canonical.ts";
import { HEX32_PATTERN } from "./hex.ts";

/** RFC 3339 date-time in UTC ("Z"), optionally with fractions of a second, as toISOString() writes. */
export const RFC3339_UTC_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$";

const Hex32 = Type.String({ pattern: HEX32_PATTERN });

/**
 * Fields every envelope has. Further members are allowed ("..." in DESIGN.md) as long as they are
 * plain JSON; they are covered by recordHash like the rest.
 */
export const EnvelopeSchema = Type.Object(
  {
    v: Type.Literal(1, { description: "envelope version" }),
    kind: Type.String({ minLength: 1, description: 'what the record is, e.g. "provenance.event", "evidence.file"' }),
    subject: Type.String({ minLength: 1, description: "what the record is about (an item, a stream, a case)" }),
    contentHash: Type.String({
      pattern: HEX32_PATTERN,
      description: "SHA-256 of the payload: of its raw bytes for a file, of its RFC 8785 canonical form for a JSON payload",
    }),
    mediaType: Type.String({ minLength: 1, description: "media type of the payload" }),
    submitter: Type.String({ minLength: 1, description: "who submitted the record" }),
    submittedAt: Type.String({ pattern: RFC3339_UTC_PATTERN, description: "when the server accepted the record, RFC 3339 UTC" }),
    prev: Type.Union([Hex32, Type.Null()], { description: "recordHash of the subject's previous record, or null for its first" }),
  },
  {
    additionalProperties: true,
    description: "The record envelope v1. recordHash = SHA-256 of its RFC 8785 canonical JSON bytes. Extra members are allowed and hashed too.",
  },
);

export type Envelope = Static<typeof EnvelopeSchema> & { [extra: string]: JsonValue };

/** SHA-256 of the envelope's RFC 8785 canonical bytes, 64 lower-case hex digits. */
export function recordHash(envelope: Envelope): string {
  return sha256Hex(canonicalBytes(envelope));
}

/** contentHash of a file or any opaque payload: SHA-256 of its raw bytes (what `sha256sum` prints). */
export function contentHashOfBytes(content: Uint8Array): string {
  return sha256Hex(content);
}

/** contentHash of a JSON payload: SHA-256 of its RFC 8785 canonical form. */
export function contentHashOfJson(value: JsonValue): string {
  return sha256Hex(canonicalBytes(value));
}

/** A JSON media type: application/json or any "+json" structured syntax suffix (RFC 6839). */
export function isJsonMediaType(mediaType: string): boolean {
  const essence = mediaType.split(";", 1)[0]!.trim().toLowerCase();
  return essence === "application/json" || essence.endsWith("+json");
}
