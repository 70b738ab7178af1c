// Products, lots and serialised items (issue 8): request bodies, params and views.
import { Type, type Static } from "typebox";
import { Hex64, Uuid } from "./common.ts";
import { AcceptedRecord, RecordStatus } from "./records.ts";

/** One line of text: PostgreSQL cannot store NUL, and a name has no business holding control characters. */
const Line = (maxLength: number, description?: string) =>
  Type.String({ minLength: 1, maxLength, pattern: "^[^\\u0000-\\u001f\\u007f]*$", ...(description ? { description } : {}) });
const Paragraphs = Type.String({ maxLength: 5_000, pattern: "^[^\\u0000]*$" });
const MediaType = Type.String({ minLength: 3, maxLength: 255, pattern: "^[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+(;[^\\u0000-\\u001f\\u007f]*)?$" });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const FileRef = Type.Object(
  {
    sha256: Hex64,
    name: Line(255, "The file's name"),
    mediaType: MediaType,
  },
  { additionalProperties: false, description: "A file known by its hash; the file itself is uploaded separately" },
);
const Files = Type.Array(FileRef, { maxItems: 20 });

export const GtinText = Type.String({ pattern: "^[0-9]{8,14}$", description: "A GTIN-8, -12, -13 or -14 with its check digit" });
/** A date in GS1 form (YYMMDD; DD 00 = the month's last day) or ISO 8601 (YYYY-MM-DD). */
const DateText = Type.String({ pattern: "^([0-9]{6}|[0-9]{4}-[0-9]{2}-[0-9]{2})$", description: "YYMMDD (GS1) or YYYY-MM-DD" });

const productFields = {
  name: Line(200),
  brand: Line(200),
  category: Line(200),
  origin: Line(200, "Where the product comes from"),
  description: Paragraphs,
  images: Files,
  certificates: Files,
};

export const CreateProductBody = Type.Object(
  {
    gtin: GtinText,
    name: productFields.name,
    brand: Type.Optional(productFields.brand),
    category: Type.Optional(productFields.category),
    origin: Type.Optional(productFields.origin),
    description: Type.Optional(productFields.description),
    images: Type.Optional(productFields.images),
    certificates: Type.Optional(productFields.certificates),
  },
  { additionalProperties: false },
);
export type CreateProductBodyT = Static<typeof CreateProductBody>;

export const PatchProductBody = Type.Object(
  {
    name: Type.Optional(productFields.name),
    brand: Type.Optional(Nullable(productFields.brand)),
    category: Type.Optional(Nullable(productFields.category)),
    origin: Type.Optional(Nullable(productFields.origin)),
    description: Type.Optional(Nullable(productFields.description)),
    images: Type.Optional(productFields.images),
    certificates: Type.Optional(productFields.certificates),
  },
  { additionalProperties: false, minProperties: 1, description: "The fields to change; null clears an optional field" },
);
export type PatchProductBodyT = Static<typeof PatchProductBody>;

export const CreateLotBody = Type.Object(
  {
    lot: Type.String({ minLength: 1, maxLength: 20, description: "AI (10): up to 20 characters of GS1 character set 82" }),
    productionDate: Type.Optional(DateText),
    expiryDate: Type.Optional(DateText),
    origin: Type.Optional(Line(200)),
    certificates: Type.Optional(Type.Array(FileRef, { maxItems: 20, description: "Inspection certificates" })),
  },
  { additionalProperties: false },
);
export type CreateLotBodyT = Static<typeof CreateLotBody>;

export const PatchLotBody = Type.Object(
  {
    productionDate: Type.Optional(Nullable(DateText)),
    expiryDate: Type.Optional(Nullable(DateText)),
    origin: Type.Optional(Nullable(Line(200))),
    certificates: Type.Optional(Files),
  },
  { additionalProperties: false, minProperties: 1, description: "The fields to change; null clears an optional field" },
);
export type PatchLotBodyT = Static<typeof PatchLotBody>;

/** Items a request may ask for; each is a record of its own. */
export const MAX_ITEMS_PER_JOB = 100_000;

export const CreateItemsBody = Type.Object(
  {
    count: Type.Integer({ minimum: 1, maximum: MAX_ITEMS_PER_JOB }),
    serialLength: Type.Optional(
      Type.Integer({ minimum: 11, maximum: 20, description: "Characters per serial, from 62 letters and digits: 11 ≈ 65.5 bits, 12 (the default) ≈ 71.5 bits" }),
    ),
    pins: Type.Optional(Type.Boolean({ description: "Give each item a secret scratch PIN, stored only as a keyed hash and shown once" })),
    pinLength: Type.Optional(Type.Integer({ minimum: 6, maximum: 16, description: "Characters per PIN, from 0-9 and A-Z (default 8 ≈ 41 bits)" })),
  },
  { additionalProperties: false },
);
export type CreateItemsBodyT = Static<typeof CreateItemsBody>;

export const GtinParams = Type.Object({ gtin: GtinText });
export const LotParams = Type.Object({ gtin: GtinText, lot: Type.String({ minLength: 1, maxLength: 20 }) });
export const SerialParams = Type.Object({ gtin: GtinText, serial: Type.String({ minLength: 1, maxLength: 20 }) });

const FileRefOut = Type.Object({ sha256: Hex64, name: Type.String(), mediaType: Type.String() });
const Text = Type.String();
const Time = Type.String({ format: "date-time" });

export const HistoryEntry = Type.Object({
  id: Uuid,
  kind: Type.String(),
  recordHash: Hex64,
  prev: Nullable(Hex64),
  status: RecordStatus,
  acceptedAt: Time,
});
const History = Type.Array(HistoryEntry, { description: "The subject's records, oldest first: each is the previous one's successor (prev)" });

export const ProductView = Type.Object({
  gtin: Type.String({ description: "GTIN-14" }),
  subject: Type.String({ description: "Canonical GS1 Digital Link URI: the subject of the product's records" }),
  merchantId: Uuid,
  name: Text,
  brand: Nullable(Text),
  category: Nullable(Text),
  origin: Nullable(Text),
  description: Nullable(Text),
  images: Type.Array(FileRefOut),
  certificates: Type.Array(FileRefOut),
  version: Type.Integer({ description: "1 for the registration, one more for each edit" }),
  createdAt: Time,
  updatedAt: Time,
  history: History,
});

export const LotView = Type.Object({
  gtin: Type.String(),
  lot: Type.String(),
  subject: Type.String(),
  productSubject: Type.String(),
  merchantId: Uuid,
  productionDate: Nullable(Type.String({ format: "date" })),
  expiryDate: Nullable(Type.String({ format: "date" })),
  origin: Nullable(Text),
  certificates: Type.Array(FileRefOut),
  version: Type.Integer(),
  createdAt: Time,
  updatedAt: Time,
  history: History,
});

export const ItemView = Type.Object({
  gtin: Type.String(),
  serial: Type.String(),
  lot: Type.String(),
  subject: Type.String(),
  lotSubject: Type.String(),
  productSubject: Type.String(),
  merchantId: Uuid,
  pinProtected: Type.Boolean(),
  createdAt: Time,
  history: History,
});

export const ProductWritten = Type.Object({ product: ProductView, record: AcceptedRecord });
export const LotWritten = Type.Object({ lot: LotView, record: AcceptedRecord });
