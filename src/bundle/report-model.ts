// The report's content, computed once and rendered twice (report.html, report.pdf): per item what
// it is, who submitted it and when it was accepted, its hashes, its anchor as the chain states it,
// and each verification step; grouped by the questions of the SPC Online Litigation Rules
// Art. 16–18. Pure: the same material and reports give the same model.
import type { DisclosureReport } from "../merkle/disclosure-verify.ts";
import type { StepResult, VerificationReport } from "../verifier/index.ts";
import type { TrustDocument } from "../verifier/trust.ts";
import type { IndexItem } from "./bundle.ts";
import type { BundleRecord, CaseMaterial } from "./collect.ts";
import { kindLabel, PARTY, type Bilingual } from "./report-text.ts";

export interface ReportItem {
  n: number;
  role: "evidence" | "timeline";
  recordId: string;
  kind: string;
  what: Bilingual;
  subject: string;
  submitter: string;
  acceptedAt: string;
  contentHash: string;
  recordHash: string;
  file: string | null;
  root: string | null;
  chainId: number | null;
  contract: string | null;
  txHash: string | null;
  blockNumber: number | null;
  /** From the chain (the verification's onChain), never from the receipt; null when not read. */
  blockTime: string | null;
  status: VerificationReport["status"];
  summary: string;
  steps: StepResult[];
  /** A record committed field by field: its disclosure file, the fields it shows (values as JSON) and how many stay hidden; null for others. */
  disclosure: { file: string | null; fields: Array<{ name: string; value: string }>; hidden: number } | null;
  addedBy: { party: Bilingual; at: string; note: string } | null;
  /** Accepted before the case was opened. */
  beforeCase: boolean;
  /** The other evidence items (their numbers) on the same subject. */
  sameSubject: number[];
}

export interface ReportModel {
  caseId: string;
  subject: string;
  asOf: string;
  merchantId: string;
  orderRef: string;
  summary: string;
  openedBy: Bilingual;
  openedAt: string;
  deliveredAt: string | null;
  state: string;
  decision: { outcome: string; reasons: string; decidedAt: string } | null;
  deadlines: Array<{ name: string; due: string; status: string }>;
  trust: TrustDocument;
  evidence: ReportItem[];
  timeline: ReportItem[];
  /** null: every record's prev names the one before it; else the first break. */
  timelineBreak: string | null;
}

function itemOf(record: BundleRecord, n: number, report: DisclosureReport, index: IndexItem | undefined, openedAt: number): Omit<ReportItem, "sameSubject"> {
  const { receipt, envelope } = record;
  const shown = report.disclosure;
  return {
    n,
    role: record.role,
    recordId: record.recordId,
    kind: envelope.kind,
    what: kindLabel(envelope.kind),
    subject: envelope.subject,
    submitter: envelope.submitter,
    acceptedAt: record.acceptedAt,
    contentHash: envelope.contentHash,
    recordHash: receipt.record.recordHash,
    file: index?.content ?? null,
    root: receipt.inclusion?.root ?? null,
    chainId: report.onChain?.chainId ?? receipt.anchor?.chainId ?? null,
    contract: report.onChain?.contract ?? receipt.anchor?.contract ?? null,
    txHash: receipt.anchor?.txHash ?? null,
    blockNumber: report.onChain?.blockNumber ?? null,
    blockTime: report.onChain?.blockTime ?? null,
    status: report.status,
    summary: report.summary,
    steps: report.steps,
    disclosure:
      record.disclosure === null
        ? null
        : { file: index?.disclosure ?? null, fields: (shown?.disclosed ?? []).map((d) => ({ name: d.name, value: JSON.stringify(d.value) })), hidden: shown?.hidden ?? record.disclosure.payload._sd.length },
    addedBy: record.evidence ? { party: PARTY[record.evidence.party] ?? [record.evidence.party, record.evidence.party], at: record.evidence.addedAt, note: record.evidence.note } : null,
    beforeCase: Date.parse(record.acceptedAt) < openedAt,
  };
}

export function reportModel(material: CaseMaterial, reports: Map<string, DisclosureReport>, trust: TrustDocument, index: IndexItem[]): ReportModel {
  const openedAt = new Date(material.row.opened_at).getTime();
  const items = (role: "evidence" | "timeline") =>
    material.records
      .filter((r) => r.role === role)
      .map((r, i) => itemOf(r, i + 1, reports.get(r.recordId)!, index.find((x) => x.recordId === r.recordId && x.role === role), openedAt));
  const evidence = items("evidence").map((item, _i, all) => ({ ...item, sameSubject: all.filter((o) => o.subject === item.subject && o.n !== item.n).map((o) => o.n) }));
  const timeline = items("timeline").map((item) => ({ ...item, sameSubject: [] }));
  let timelineBreak: string | null = null;
  const chain = material.records.filter((r) => r.role === "timeline");
  chain.forEach((r, i) => {
    const expected = i === 0 ? null : chain[i - 1]!.receipt.record.recordHash;
    if (timelineBreak === null && r.envelope.prev !== expected) timelineBreak = `record ${i + 1} (${r.envelope.kind}): prev is ${String(r.envelope.prev)}, expected ${String(expected)}`;
  });
  const s = material.summary;
  return {
    caseId: material.row.id,
    subject: material.row.subject,
    asOf: material.asOf.toISOString(),
    merchantId: s.merchantId,
    orderRef: s.orderRef,
    summary: s.summary,
    openedBy: PARTY[s.openedBy] ?? [s.openedBy, s.openedBy],
    openedAt: s.openedAt,
    deliveredAt: s.deliveredAt,
    state: s.state,
    decision: s.decision,
    deadlines: s.deadlines,
    trust,
    evidence,
    timeline,
    timelineBreak,
  };
}
