import { Type } from "typebox";
import { ReceiptSchema } from "../merkle/index.ts";
import { Hex64, Uuid } from "./common.ts";

export const MAX_BATCH_RECORDS = 1_000;

export const RecordInput = Type.Object(
  {
    kind: Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z][a-z0-9._-]*$", description: "What the record is: provenance.origin, stream.snapshot, evidence.chat, …" }),
    subject: Type.String({ minLength: 1, maxLength: 512, description: "What it is about: a GS1 Digital Link, an order id, a stream id, …" }),
    prev: Type.Optional(Type.Union([Hex64, Type.Null()], { description: "recordHash of the subject's previous record" })),
    payload: Type.Optional(Type.Unknown({ description: "A JSON payload; contentHash is SHA-256 of its RFC 8785 form" })),
    contentHash: Type.Optional(Type.String({ pattern: "^[0-9a-f]{64}$", description: "SHA-256 of the content's raw bytes (sha256sum)" })),
    mediaType: Type.Optional(Type.String({ minLength: 3, maxLength: 255, pattern: "^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+(;.*)?$" })),
  },
  { additionalProperties: false },
);

export const BatchInput = Type.Object(
  { records: Type.Array(RecordInput, { minItems: 1, maxItems: MAX_BATCH_RECORDS }) },
  { additionalProperties: false },
);

export const RecordStatus = Type.Union([
  Type.Literal("accepted"),
  Type.Literal("sealed"),
  Type.Literal("submitted"),
  Type.Literal("anchored"),
  Type.Literal("final"),
]);

// The receipt schema's if/then (no anchor before inclusion) is for validators; fast-json-stringify
// cannot build a serializer from it, and the server never writes such a receipt anyway.
const { if: _if, then: _then, ...receiptOut } = ReceiptSchema as typeof ReceiptSchema & { if?: unknown; then?: unknown };
export const ReceiptOut = receiptOut as typeof ReceiptSchema;

export const AcceptedRecord = Type.Object({
  id: Uuid,
  status: RecordStatus,
  receipt: ReceiptOut,
});

export const RecordStatusView = Type.Object({
  id: Uuid,
  status: RecordStatus,
  recordHash: Hex64,
  acceptedAt: Type.String({ format: "date-time" }),
  batchSeq: Type.Union([Type.Integer(), Type.Null()]),
  leafIndex: Type.Union([Type.Integer(), Type.Null()]),
  txHash: Type.Union([Type.String(), Type.Null()]),
});

export const IdempotencyHeaders = Type.Object({
  "idempotency-key": Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

export const RecordIdParams = Type.Object({ id: Uuid });
