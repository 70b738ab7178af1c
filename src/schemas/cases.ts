import { Type } from "typebox";
import { Hex64, Uuid } from "./common.ts";

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const DateTime = Type.String({ format: "date-time" });

export const OpenCaseBody = Type.Object(
  {
    merchantId: Type.Optional(Uuid),
    orderRef: Text(200),
    summary: Text(4000),
    deliveredAt: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);

export const CaseIdParams = Type.Object({ caseId: Uuid });
export const EvidenceIdParams = Type.Object({ caseId: Uuid, evidenceId: Uuid });

export const AttachEvidenceBody = Type.Object(
  {
    recordId: Type.Optional(Uuid),
    receipt: Type.Optional(
      Type.Object({ record: Type.Object({ recordHash: Hex64, salt: Hex64 }, { additionalProperties: true }) }, { additionalProperties: true, description: "A receipt v1 of the record (docs/receipt-v1.md)" }),
    ),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export const WithdrawBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export const StatementBody = Type.Object({ text: Text(8000) }, { additionalProperties: false });
export const AssignMediatorBody = Type.Object({ keyId: Type.String({ pattern: "^[0-9a-f]{12}$" }) }, { additionalProperties: false });
export const DecisionBody = Type.Object(
  {
    outcome: Type.Union([Type.Literal("refund"), Type.Literal("partial-refund"), Type.Literal("return-and-refund"), Type.Literal("replace"), Type.Literal("rejected")]),
    reasons: Text(8000),
  },
  { additionalProperties: false },
);
export const CaseListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })) }, { additionalProperties: false });

const Deadline = Type.Object({
  name: Type.Union([Type.Literal("request"), Type.Literal("review"), Type.Literal("return")]),
  due: DateTime,
  status: Type.Union([Type.Literal("met"), Type.Literal("late"), Type.Literal("due"), Type.Literal("overdue")]),
});

export const CaseSummaryOut = Type.Object({
  id: Uuid,
  subject: Type.String(),
  merchantId: Uuid,
  orderRef: Type.String(),
  summary: Type.String(),
  openedBy: Type.String(),
  openedAt: DateTime,
  deliveredAt: Type.Union([DateTime, Type.Null()]),
  state: Type.Union([Type.Literal("open"), Type.Literal("decided")]),
  mediatorAssigned: Type.Boolean(),
  decision: Type.Union([Type.Object({ outcome: Type.String(), reasons: Type.String(), decidedAt: DateTime }), Type.Null()]),
  deadlines: Type.Array(Deadline),
});

export const EvidenceOut = Type.Object({
  id: Uuid,
  recordId: Uuid,
  kind: Type.String(),
  subject: Type.String(),
  recordHash: Hex64,
  party: Type.String(),
  note: Type.String(),
  addedAt: DateTime,
  withdrawnAt: Type.Union([DateTime, Type.Null()]),
});

export const CaseOut = Type.Object({
    ...CaseSummaryOut.properties,
    evidence: Type.Array(EvidenceOut),
    timeline: Type.Array(
      Type.Object({ recordId: Uuid, kind: Type.String(), submitter: Type.String(), submittedAt: Type.String(), recordHash: Hex64, payload: Type.Unknown() }),
    ),
});

export const OpenedCaseOut = Type.Object({
  case: CaseOut,
  token: Type.Union([Type.String({ description: "The case token: shown once, a bearer secret for this case only" }), Type.Null()]),
});
