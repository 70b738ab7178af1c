import { Type, type Static } from "typebox";
import { Hex64, Uuid } from "./common.ts";
import { ReceiptOut, RecordStatus } from "./records.ts";

/** What a consumer may notarize without a key: a file, or a text they typed (hashed as UTF-8). */
export const PUBLIC_KINDS = ["consumer.file", "consumer.text"] as const;

export const PublicRecordInput = Type.Object(
  {
    kind: Type.Union(PUBLIC_KINDS.map((k) => Type.Literal(k)), { description: "consumer.file or consumer.text" }),
    contentHash: Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the file's raw bytes (or of the text's UTF-8 bytes), hashed in the browser: the content itself is never sent" }),
    mediaType: Type.String({ minLength: 3, maxLength: 255, pattern: "^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+(;.*)?$" }),
    fileName: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: "Shown on the receipt page; not part of the record" })),
    size: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: "The content's size in bytes; not part of the record" })),
  },
  { additionalProperties: false },
);
export type PublicRecordInputT = Static<typeof PublicRecordInput>;

export const PublicRecordIdParams = Type.Object({ publicRecordId: Uuid });

const Links = Type.Object({
  self: Type.String({ description: "This record's status and receipt (JSON), public for whoever has the id" }),
  page: Type.String({ description: "The receipt page, for people" }),
});

export const PublicRecordView = Type.Object({
  id: Uuid,
  kind: Type.String(),
  status: RecordStatus,
  recordHash: Hex64,
  acceptedAt: Type.String({ format: "date-time" }),
  fileName: Type.Union([Type.String(), Type.Null()]),
  size: Type.Union([Type.Integer(), Type.Null()]),
  receipt: ReceiptOut,
  links: Links,
});
export type PublicRecordViewT = Static<typeof PublicRecordView>;

export const ClaimInput = Type.Object(
  {
    uri: Type.String({ minLength: 1, maxLength: 2048, description: "The item's GS1 Digital Link URI (the QR code's content)" }),
    pin: Type.String({ minLength: 1, maxLength: 64, description: "The scratch PIN printed under the label; spaces and dashes are ignored" }),
  },
  { additionalProperties: false },
);

export const ClaimView = Type.Object({
  subject: Type.String(),
  claimedAt: Type.String({ format: "date-time" }),
  recordId: Uuid,
  receipt: ReceiptOut,
});
