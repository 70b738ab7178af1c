// report.pdf: the report for printing and filing, with the CJK font embedded (a subset of Noto
// Sans CJK SC), so that it prints the same anywhere. pdfkit writes it as a stream, page by page.
// Deterministic: the document's dates are the report's moment, so its file ID (derived from the
// info dictionary) and the font subset's tag (derived from the font's id) are fixed too.
import { readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import PDFDocument from "pdfkit";
import type { ReportItem, ReportModel } from "./report-model.ts";
import { DEADLINE, OUTCOME, STATUS, T, type Bilingual } from "./report-text.ts";

/** Debian/Ubuntu's fonts-noto-cjk; the TTC holds every CJK region's face, picked by PostScript name. */
export const CJK_FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc";
const CJK_FACE = "NotoSansCJKsc-Regular";

let fontBytes: Buffer | undefined;
function cjkFont(): Buffer {
  try {
    return (fontBytes ??= readFileSync(CJK_FONT_PATH));
  } catch (error) {
    throw new Error(`the report's CJK font is missing: ${CJK_FONT_PATH} (install fonts-noto-cjk)`, { cause: error });
  }
}

const MARK = { true: "✓", false: "✗", null: "–" } as const;

export function reportPdf(m: ReportModel): Readable {
  const at = new Date(m.asOf);
  const doc = new PDFDocument({
    size: "A4",
    margin: 50,
    info: { Title: `${T.title[0]} / ${T.title[1]} — ${m.caseId}`, Author: "Tracemark", Subject: m.subject, CreationDate: at, ModDate: at },
    lang: "zh-CN",
    displayTitle: true,
  });
  doc.registerFont("cjk", cjkFont(), CJK_FACE);
  doc.font("cjk");
  const width = doc.page.width - 100;

  const heading = (pair: Bilingual, size = 14) => {
    doc.moveDown(0.6).fontSize(size).fillColor("#0b0c0c").text(pair[0], { width }).fontSize(size - 3).fillColor("#505a5f").text(pair[1], { width }).fillColor("#0b0c0c");
    doc.moveDown(0.3);
  };
  const para = (pair: Bilingual) => {
    doc.fontSize(9).fillColor("#0b0c0c").text(pair[0], { width }).fillColor("#505a5f").text(pair[1], { width }).fillColor("#0b0c0c").moveDown(0.4);
  };
  const field = (label: Bilingual, value: string | number | null) => {
    doc.fontSize(8).fillColor("#505a5f").text(`${label[0]} / ${label[1]}`, { width });
    doc.fontSize(9).fillColor("#0b0c0c").text(value === null ? `${T.none[0]} / ${T.none[1]}` : String(value), { width });
  };
  const pair = (p: Bilingual) => `${p[0]} / ${p[1]}`;

  const item = (i: ReportItem) => {
    heading([`${T.item[0]} ${i.n}：${i.what[0]}（${i.kind}）`, `${T.item[1]} ${i.n}: ${i.what[1]} (${i.kind})`], 11);
    field(T.subject, i.subject);
    field(T.submitter, i.submitter);
    if (i.addedBy) field(T.addedBy, `${pair(i.addedBy.party)}, ${i.addedBy.at}${i.addedBy.note ? ` — ${i.addedBy.note}` : ""}`);
    field(T.acceptedAt, i.acceptedAt);
    field(T.contentHash, i.contentHash);
    field(T.recordHash, i.recordHash);
    field(T.file, i.file ?? pair(T.notHeld));
    field(T.root, i.root);
    field(T.chain, i.chainId);
    field(T.contract, i.contract);
    field(T.transaction, i.txHash);
    field(T.block, i.blockNumber);
    field(T.blockTime, i.blockTime);
    field(T.result, pair(STATUS[i.status] ?? [i.status, i.status]));
    if (i.disclosure) {
      doc.fontSize(8).fillColor("#505a5f").text(pair(T.disclosed), { width }).fillColor("#0b0c0c");
      field(T.disclosureFile, i.disclosure.file);
      for (const f of i.disclosure.fields) doc.fontSize(9).text(`${f.name}: ${f.value}`, { width, indent: 8 });
      field(T.hidden, i.disclosure.hidden);
    }
    doc.fontSize(8).fillColor("#505a5f").text(pair(T.steps), { width }).fillColor("#0b0c0c");
    for (const s of i.steps) doc.fontSize(8).text(`${MARK[String(s.ok) as keyof typeof MARK]} ${s.step}${s.reason ? ` — ${s.reason}` : ""}`, { width, indent: 8 });
  };

  heading(T.title, 18);
  field(T.caseLine, m.subject);
  field(T.asOf, m.asOf);
  field(T.merchant, m.merchantId);
  field(T.orderRef, m.orderRef);
  field(T.openedBy, pair(m.openedBy));
  field(T.openedAt, m.openedAt);
  field(T.deliveredAt, m.deliveredAt);
  field(T.state, m.state);
  field(T.summary, m.summary);
  if (m.decision) {
    field(T.decision, `${pair(OUTCOME[m.decision.outcome] ?? [m.decision.outcome, m.decision.outcome])}, ${m.decision.decidedAt}`);
    field(T.reasons, m.decision.reasons);
  }
  field(T.deadlines, m.deadlines.map((d) => `${pair(DEADLINE[d.name]!)}: ${d.due} — ${pair(DEADLINE[d.status]!)}`).join("\n"));

  heading(T.art16);
  para(T.art16Intro);
  heading(T.evidenceSection, 12);
  m.evidence.forEach(item);
  heading(T.timelineSection, 12);
  m.timeline.forEach(item);

  heading(T.art17);
  para(T.art17Body);
  for (const a of m.trust.anchors) field(T.trustedContract, `${pair(T.chain)} ${a.chainId} · ${a.contract} · ${pair(T.deployBlock)} ${a.deployBlock}`);
  field(T.timelineChain, m.timelineBreak === null ? pair(T.timelineComplete) : `${pair(T.timelineBroken)} ${m.timelineBreak}`);

  heading(T.art18);
  para(T.art18Intro);
  for (const e of m.evidence) {
    field(
      [`${T.item[0]} ${e.n}：${e.what[0]}`, `${T.item[1]} ${e.n}: ${e.what[1]}`],
      `${e.submitter} · ${e.acceptedAt} · ${pair(e.beforeCase ? T.beforeCase : T.afterCase)} · ${e.subject}${e.sameSubject.length ? ` · ${pair(T.sameSubject)}: ${e.sameSubject.join(", ")}` : ""}`,
    );
  }

  heading(T.cannot);
  for (const p of T.cannotList) para([`• ${p[0]}`, `• ${p[1]}`]);
  doc.end();
  return doc;
}
