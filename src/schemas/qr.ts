// QR code requests.
import { Type, type Static } from "typebox";
import { MAX_MODULE_PX, MAX_WIDTH_PX, MIN_WIDTH_PX } from "../qr/render.ts";

const Ecc = Type.Union([Type.Literal("M"), Type.Literal("Q")], { description: "Error correction: M (15 %, the default) or Q (25 %)" });

export const QrQuery = Type.Object(
  {
    uri: Type.String({ minLength: 1, maxLength: 2000, description: "A GS1 Digital Link URI of a product, lot or item on PUBLIC_BASE_URL" }),
    format: Type.Optional(Type.Union([Type.Literal("png"), Type.Literal("svg")], { description: "png (the default) or svg" })),
    ecc: Type.Optional(Ecc),
    size: Type.Optional(Type.Integer({ minimum: MIN_WIDTH_PX, maximum: MAX_WIDTH_PX, description: "Image width in pixels, quiet zone included" })),
    module: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MODULE_PX, description: "Pixels per module (default 8); not with size" })),
  },
  { additionalProperties: false },
);
export type QrQueryT = Static<typeof QrQuery>;

export const LotZipQuery = Type.Object(
  {
    pins: Type.Optional(Type.Union([Type.Literal("0"), Type.Literal("1")], { description: "1: put the scratch PINs in items.csv; they are handed out once" })),
    ecc: Type.Optional(Ecc),
  },
  { additionalProperties: false },
);
export type LotZipQueryT = Static<typeof LotZipQuery>;
