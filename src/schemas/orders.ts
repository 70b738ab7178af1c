// Transactions (issue 10): orders, payments, chats, files, after-sales, disclosures and erasure.
// Prices are decimal strings (never floats: RFC 8785 would hash 0.1 + 0.2 as 0.30000000000000004).
import { Type, type Static } from "typebox";
import { RFC3339_UTC_PATTERN } from "../merkle/index.ts";
import { Hex64, Uuid } from "./common.ts";
import { ReceiptOut } from "./records.ts";

const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const Decimal = Type.String({ pattern: "^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,4})?$", description: "a non-negative decimal, as a string: 398.00" });
const Currency = Type.String({ pattern: "^[A-Z]{3}$", description: "ISO 4217 code: CNY" });
const Moment = Type.String({ format: "date-time", description: "RFC 3339" });
const OrderRef = Type.String({ minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]*$", description: "the merchant's (or platform's) order number" });
const MediaType = Type.String({ minLength: 3, maxLength: 127, pattern: "^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$" });
export const FileHashRef = Type.Object(
  { sha256: Hex64, mediaType: MediaType, name: Type.Optional(Text(255)) },
  { additionalProperties: false, description: "A file by its SHA-256 (the blob store keeps the bytes)" },
);

export const OrderItemInput = Type.Object(
  { gtin: Type.String({ pattern: "^[0-9]{8,14}$" }), serial: Text(20, "AI (21) serial of one of your registered items"), price: Decimal },
  { additionalProperties: false },
);
export const BuyerInput = Type.Object(
  { id: Text(128, "the buyer's account on the platform"), name: Type.Optional(Text(128)), phone: Type.Optional(Text(32)), address: Type.Optional(Text(512)) },
  { additionalProperties: false, description: "Personal data: kept only as a disclosable field of the order record, erasable; never in clear in a record" },
);
export const OrderInput = Type.Object(
  {
    orderRef: OrderRef,
    placedAt: Moment,
    currency: Currency,
    total: Decimal,
    items: Type.Array(OrderItemInput, { minItems: 1, maxItems: 100 }),
    buyer: Type.Optional(BuyerInput),
    channel: Type.Optional(Text(256, "where it was sold: a live stream's URN, a shop URL")),
  },
  { additionalProperties: false },
);
export type OrderInputT = Static<typeof OrderInput>;

export const PaymentInput = Type.Object(
  {
    amount: Decimal,
    currency: Currency,
    method: Text(64, "alipay, wechat-pay, card, cod, ..."),
    reference: Text(128, "the payment provider's transaction number"),
    paidAt: Moment,
    payer: Type.Optional(Type.Object({ account: Text(128) }, { additionalProperties: false, description: "Personal data, erasable" })),
  },
  { additionalProperties: false },
);
export type PaymentInputT = Static<typeof PaymentInput>;

export const ChatMessage = Type.Object(
  { from: Type.Union([Type.Literal("buyer"), Type.Literal("merchant"), Type.Literal("platform")]), at: Moment, text: Text(4000) },
  { additionalProperties: false },
);
export const ChatInput = Type.Union(
  [
    Type.Object({ messages: Type.Array(ChatMessage, { minItems: 1, maxItems: 1000 }) }, { additionalProperties: false }),
    Type.Object({ file: FileHashRef }, { additionalProperties: false }),
  ],
  { description: "A message list (each field committed separately) or an exported chat file by its SHA-256" },
);
export type ChatInputT = Static<typeof ChatInput>;

export const OrderFileInput = Type.Object(
  {
    purpose: Type.Union([Type.Literal("screenshot"), Type.Literal("chat-export"), Type.Literal("invoice"), Type.Literal("photo"), Type.Literal("other")]),
    file: FileHashRef,
  },
  { additionalProperties: false },
);
export type OrderFileInputT = Static<typeof OrderFileInput>;

export const AfterSalesInput = Type.Object(
  {
    type: Type.Union([Type.Literal("return"), Type.Literal("refund"), Type.Literal("exchange")]),
    reason: Text(2000),
    requestedAt: Moment,
    items: Type.Optional(Type.Array(Type.Object({ gtin: Type.String({ pattern: "^[0-9]{8,14}$" }), serial: Text(20) }, { additionalProperties: false }), { maxItems: 100 })),
    evidence: Type.Optional(Type.Array(FileHashRef, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type AfterSalesInputT = Static<typeof AfterSalesInput>;

export const AfterSalesUpdateInput = Type.Object(
  {
    step: Type.Union([Type.Literal("response"), Type.Literal("resolution")]),
    text: Text(2000),
    at: Moment,
    outcome: Type.Optional(Type.Union([Type.Literal("accepted"), Type.Literal("rejected"), Type.Literal("refunded"), Type.Literal("returned"), Type.Literal("exchanged")])),
    evidence: Type.Optional(Type.Array(FileHashRef, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type AfterSalesUpdateInputT = Static<typeof AfterSalesUpdateInput>;

export const DisclosureRequest = Type.Object(
  { fields: Type.Array(Text(64), { minItems: 0, maxItems: 64, uniqueItems: true, description: "top-level field names to disclose; the rest stay hidden" }) },
  { additionalProperties: false },
);
export const ErasureInput = Type.Object(
  { reason: Text(1000, "the data subject request it answers") },
  { additionalProperties: false },
);

export const OrderIdParams = Type.Object({ orderId: Uuid }, { additionalProperties: false });
export const OrderRecordParams = Type.Object({ orderId: Uuid, recordId: Uuid }, { additionalProperties: false });
export const AfterSalesParams = Type.Object({ orderId: Uuid, afterSalesId: Uuid }, { additionalProperties: false });
export const OrderListQuery = Type.Object(
  { ref: Type.Optional(OrderRef), merchantId: Type.Optional(Uuid), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) },
  { additionalProperties: false },
);

export const OrderRecordView = Type.Object({
  id: Uuid,
  kind: Type.String(),
  recordHash: Hex64,
  submittedAt: Type.String({ pattern: RFC3339_UTC_PATTERN }),
  fields: Type.Array(Type.Object({ name: Type.String(), personal: Type.Boolean() }), { description: "fields that can still be disclosed" }),
  erasedFields: Type.Integer({ minimum: 0, description: "committed fields whose disclosure was erased or purged" }),
  receipt: ReceiptOut,
});
export const OrderView = Type.Object({
  id: Uuid,
  merchantId: Uuid,
  orderRef: Type.String(),
  subject: Type.String(),
  placedAt: Type.String(),
  currency: Type.String(),
  total: Type.String(),
  items: Type.Array(Type.Object({ gtin: Type.String(), serial: Type.String(), price: Type.String(), soldAt: Type.String() })),
  erasedAt: Type.Union([Type.String(), Type.Null()]),
  afterSales: Type.Array(Type.Object({ id: Uuid, type: Type.String(), status: Type.String(), requestRecordId: Uuid })),
  records: Type.Array(OrderRecordView),
});
export const OrderWritten = Type.Object({
  orderId: Uuid,
  record: Type.Object({ id: Uuid, kind: Type.String(), receipt: ReceiptOut }),
  afterSalesId: Type.Optional(Uuid),
});
export const DisclosureDocumentOut = Type.Object(
  {
    format: Type.Literal("tracemark.disclosure.v1"),
    receipt: ReceiptOut,
    payload: Type.Object({ _sd_alg: Type.Literal("sha-256"), _sd: Type.Array(Hex64) }),
    disclosures: Type.Array(Type.String()),
  },
  { description: "docs/disclosure-v1.md: verify it with `tracemark verify doc.json` or POST /v1/verify" },
);
