import { Type } from "typebox";
import { Hex64, Uuid } from "./common.ts";
import { AcceptedRecord } from "./records.ts";

export const EvidenceFileOut = Type.Object({
  id: Uuid,
  sha256: Hex64,
  size: Type.Integer({ minimum: 0 }),
  mediaType: Type.String(),
  name: Type.String(),
  merchantId: Uuid,
  createdAt: Type.String({ format: "date-time" }),
});

export const UploadedFileOut = Type.Object({
  file: EvidenceFileOut,
  /** The private `evidence.file` record that notarized the upload. */
  record: AcceptedRecord,
  stored: Type.Union([Type.Literal("new"), Type.Literal("deduplicated")], { description: "new: the bytes were stored now; deduplicated: the store held them already" }),
});

export const Sha256Params = Type.Object({ sha256: Hex64 }, { additionalProperties: false });

export const QualificationType = Type.Union(
  [Type.Literal("business-licence"), Type.Literal("food-permit"), Type.Literal("cosmetics-permit"), Type.Literal("brand-authorisation")],
  { description: "business-licence (营业执照), food-permit (食品经营许可证), cosmetics-permit (化妆品生产/经营许可), brand-authorisation (品牌授权书)" },
);

const IsoDate = Type.String({ format: "date", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description: "YYYY-MM-DD" });

export const QualificationBody = Type.Object(
  {
    type: QualificationType,
    number: Type.String({ minLength: 1, maxLength: 128, description: "The document's number (licence number, permit number, …)" }),
    validFrom: IsoDate,
    validUntil: Type.Optional(Type.Union([IsoDate, Type.Null()], { description: "Last day of validity; null or absent: without end (长期)" })),
    file: Type.Object({ id: Uuid }, { additionalProperties: false, description: "The evidence file (POST /v1/evidence/files) holding the document's scan" }),
  },
  { additionalProperties: false },
);

export const QualificationStatus = Type.Union([Type.Literal("pending"), Type.Literal("approved"), Type.Literal("rejected")]);

export const QualificationOut = Type.Object({
  id: Uuid,
  merchantId: Uuid,
  type: QualificationType,
  number: Type.String(),
  validFrom: Type.String(),
  validUntil: Type.Union([Type.String(), Type.Null()]),
  file: Type.Object({ id: Uuid, sha256: Hex64 }),
  status: QualificationStatus,
  recordId: Uuid,
  decision: Type.Union([
    Type.Object({ reason: Type.String(), decidedAt: Type.String({ format: "date-time" }), recordId: Uuid }),
    Type.Null(),
  ]),
  createdAt: Type.String({ format: "date-time" }),
});

export const QualificationWritten = Type.Object({ qualification: QualificationOut, record: AcceptedRecord });

export const DecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal("approved"), Type.Literal("rejected")]),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: "Why: shown publicly with the decision" }),
  },
  { additionalProperties: false },
);

export const QualificationIdParams = Type.Object({ qualificationId: Uuid }, { additionalProperties: false });
