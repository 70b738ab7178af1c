import { Type, type Static } from "typebox";
import { Uuid } from "./common.ts";
import { ReceiptOut } from "./records.ts";

export const CaptureIdParams = Type.Object({ captureId: Uuid });

export const CaptureJobView = Type.Object(
  {
    captureID: Type.String({ format: "uuid" }),
    createdAt: Type.String(),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    running: Type.Boolean(),
    success: Type.Boolean(),
    captureErrorBehaviour: Type.Union([Type.Literal("rollback"), Type.Literal("proceed")], {
      description: "rollback: the document was written in one transaction (up to 1,000 events); proceed: chunk by chunk, what was written before a failure stays",
    }),
    errors: Type.Array(Type.String()),
    events: Type.Integer({ description: "Events in the document" }),
    processed: Type.Integer({ description: "Events committed or recognised as duplicates so far" }),
    stored: Type.Integer({ description: "Events this capture stored" }),
    duplicates: Type.Integer({ description: "Events already captured before (same CBV 2.0 event hash ID): not stored again" }),
  },
  { description: "An EPCIS 2.0 capture job (REST binding), with Tracemark's counts" },
);

export const RecallBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    instructions: Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description: "What holders of the goods should do" })),
  },
  { additionalProperties: false },
);
export type RecallBodyT = Static<typeof RecallBody>;

export const RecallWithdrawalBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000, description: "Why the recall ends" }),
  },
  { additionalProperties: false },
);
export type RecallWithdrawalBodyT = Static<typeof RecallWithdrawalBody>;

export const RecallWritten = Type.Object({
  eventID: Type.String({ description: "The CBV 2.0 event hash ID of the EPCIS event that carries the recall" }),
  captureID: Type.String({ format: "uuid" }),
  subject: Type.String(),
  event: Type.Unknown({ description: "The EPCIS 2.0 ObjectEvent, as stored" }),
});

export const TraceQuery = Type.Object(
  { uri: Type.String({ maxLength: 2048, description: "A GS1 Digital Link URI of a product, lot or serialised item (any host)" }) },
  // Other parameters are ignored: the GS1 resolver redirects here with the scan's query string
  // passed on (Resolver 1.2), data attributes such as ?17=… included.
  { additionalProperties: true },
);

const Chain = Type.Object({
  subject: Type.String(),
  records: Type.Integer({ description: "Records on the subject's chain; the head is record number `records`" }),
  head: Type.String({ description: "recordHash of the newest record" }),
  anchoredThrough: Type.Union([
    Type.Object({ record: Type.Integer({ description: "The chain is anchored up to this record number" }), recordHash: Type.String(), blockNumber: Type.Integer(), txHash: Type.String() }),
    Type.Null(),
  ]),
});

const Recall = Type.Object({
  subject: Type.String(),
  level: Type.Union([Type.Literal("product"), Type.Literal("lot"), Type.Literal("item")]),
  eventID: Type.String(),
  eventTime: Type.String(),
  reason: Type.Union([Type.String(), Type.Null()]),
  instructions: Type.Union([Type.String(), Type.Null()]),
});

const TimelineEntry = Type.Object({
  recordId: Type.String(),
  subject: Type.String(),
  via: Type.Union([Type.Literal("item"), Type.Literal("lot"), Type.Literal("product"), Type.Literal("container")]),
  kind: Type.String(),
  time: Type.String({ description: "The event's eventTime, or when a domain record was accepted" }),
  eventID: Type.Union([Type.String(), Type.Null()]),
  eventType: Type.Union([Type.String(), Type.Null()]),
  bizStep: Type.Union([Type.String(), Type.Null()]),
  disposition: Type.Union([Type.String(), Type.Null()]),
  errorDeclaration: Type.Boolean({ description: "This entry declares an earlier event erroneous (EPCIS 2.0 §7.4.1.6)" }),
  declaredErroneous: Type.Boolean({ description: "A later error declaration says this event was wrong" }),
  status: Type.String(),
  payload: Type.Union([Type.String({ description: "The exact RFC 8785 bytes whose SHA-256 is the envelope's contentHash" }), Type.Null()]),
  receipt: ReceiptOut,
});

export const TraceView = Type.Object({
  uri: Type.String(),
  level: Type.Union([Type.Literal("product"), Type.Literal("lot"), Type.Literal("item")]),
  subject: Type.String(),
  merchant: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  product: Type.Union([Type.Object({ gtin: Type.String(), subject: Type.String(), name: Type.String(), brand: Type.Union([Type.String(), Type.Null()]), category: Type.Union([Type.String(), Type.Null()]), origin: Type.Union([Type.String(), Type.Null()]), description: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  lot: Type.Union([Type.Object({ lot: Type.String(), subject: Type.String(), productionDate: Type.Union([Type.String(), Type.Null()]), expiryDate: Type.Union([Type.String(), Type.Null()]), origin: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]),
  item: Type.Union([Type.Object({ serial: Type.String(), subject: Type.String(), pinProtected: Type.Boolean() }), Type.Null()]),
  recall: Type.Object({ recalled: Type.Boolean(), recalls: Type.Array(Recall) }),
  containers: Type.Array(Type.Object({ subject: Type.String(), from: Type.String(), until: Type.Union([Type.String(), Type.Null()]) })),
  timeline: Type.Array(TimelineEntry),
  chains: Type.Array(Chain),
});
export type TraceViewT = Static<typeof TraceView>;
