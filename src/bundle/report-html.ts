// report.html: the report as one self-contained HTML file (no scripts, no external resources), so
// that it opens the same on any machine years later. Every text from report-text.ts, bilingual.
import type { ReportItem, ReportModel } from "./report-model.ts";
import { both, DEADLINE, OUTCOME, STATUS, T, type Bilingual } from "./report-text.ts";

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const b = (pair: Bilingual) => `<span lang="zh-CN">${escape(pair[0])}</span> <span class="en" lang="en">${escape(pair[1])}</span>`;
const code = (text: string | number | null) => (text === null ? `<span class="none">${b(T.none)}</span>` : `<code>${escape(String(text))}</code>`);
const row = (label: Bilingual, value: string) => `<tr><th>${b(label)}</th><td>${value}</td></tr>`;
const MARK = { true: "✓", false: "✗", null: "–" } as const;

function disclosureHtml(d: NonNullable<ReportItem["disclosure"]>): string {
  const fields = d.fields.map((f) => row([f.name, f.name], code(f.value))).join("\n");
  return `<p>${b(T.disclosed)}</p>
<table class="disclosed">
${row(T.disclosureFile, code(d.file))}
${fields}
${row(T.hidden, code(d.hidden))}
</table>
`;
}

function itemHtml(item: ReportItem): string {
  const steps = item.steps
    .map((s) => `<li data-step="${s.step}" data-ok="${String(s.ok)}">${MARK[String(s.ok) as keyof typeof MARK]} <code>${s.step}</code>${s.reason ? ` — ${escape(s.reason)}` : ""}</li>`)
    .join("");
  return `<section class="item" data-record-id="${item.recordId}" data-status="${item.status}">
<h3>${b(T.item)} ${item.n}: ${b(item.what)} <code>${escape(item.kind)}</code></h3>
<table>
${row(T.subject, code(item.subject))}
${row(T.submitter, code(item.submitter))}
${item.addedBy ? row(T.addedBy, `${b(item.addedBy.party)}, ${code(item.addedBy.at)}${item.addedBy.note ? ` — ${escape(item.addedBy.note)}` : ""}`) : ""}
${row(T.acceptedAt, code(item.acceptedAt))}
${row(T.contentHash, code(item.contentHash))}
${row(T.recordHash, code(item.recordHash))}
${row(T.file, item.file ? code(item.file) : b(T.notHeld))}
${row(T.root, code(item.root))}
${row(T.chain, code(item.chainId))}
${row(T.contract, code(item.contract))}
${row(T.transaction, code(item.txHash))}
${row(T.block, code(item.blockNumber))}
${row(T.blockTime, code(item.blockTime))}
${row(T.result, `<strong>${b(STATUS[item.status] ?? [item.status, item.status])}</strong>`)}
</table>
${item.disclosure ? disclosureHtml(item.disclosure) : ""}<p>${b(T.steps)}</p><ul class="steps">${steps}</ul>
</section>`;
}

export function reportHtml(m: ReportModel): string {
  const deadlines = m.deadlines.map((d) => `<li>${b(DEADLINE[d.name]!)}: ${code(d.due)} — ${b(DEADLINE[d.status]!)}</li>`).join("");
  const corroboration = m.evidence
    .map(
      (e) =>
        `<tr><td>${e.n}</td><td>${b(e.what)}</td><td>${code(e.submitter)}</td><td>${code(e.acceptedAt)}</td><td>${b(e.beforeCase ? T.beforeCase : T.afterCase)}</td><td>${code(e.subject)}${e.sameSubject.length ? `<br>${b(T.sameSubject)}: ${e.sameSubject.join(", ")}` : ""}</td></tr>`,
    )
    .join("\n");
  const anchor = m.trust.anchors.map((a) => `<li>${b(T.chain)} ${code(a.chainId)} · ${b(T.contract)} ${code(a.contract)} · ${b(T.deployBlock)} ${code(a.deployBlock)}</li>`).join("");
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${escape(both(T.title))} — ${escape(m.caseId)}</title>
<style>
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #0b0c0c; }
.en { color: #505a5f; }
code { font-family: ui-monospace, monospace; font-size: 0.85em; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #b1b4b6; padding: 0.25rem 0.5rem; }
th { width: 16rem; font-weight: normal; }
.item { border-left: 4px solid #1d70b8; padding-left: 1rem; margin: 1.5rem 0; }
.item[data-status="invalid"] { border-color: #d4351c; }
.steps { list-style: none; padding: 0; font-size: 0.9em; }
</style>
</head>
<body data-case-id="${m.caseId}" data-as-of="${m.asOf}">
<h1>${b(T.title)}</h1>
<table>
${row(T.caseLine, code(m.subject))}
${row(T.asOf, code(m.asOf))}
${row(T.merchant, code(m.merchantId))}
${row(T.orderRef, code(m.orderRef))}
${row(T.openedBy, b(m.openedBy))}
${row(T.openedAt, code(m.openedAt))}
${row(T.deliveredAt, code(m.deliveredAt))}
${row(T.state, code(m.state))}
${row(T.summary, escape(m.summary))}
${m.decision ? row(T.decision, `${b(OUTCOME[m.decision.outcome] ?? [m.decision.outcome, m.decision.outcome])}, ${code(m.decision.decidedAt)}<br>${b(T.reasons)}: ${escape(m.decision.reasons)}`) : ""}
${row(T.deadlines, `<ul>${deadlines}</ul>`)}
</table>

<h2>${b(T.art16)}</h2>
<p>${b(T.art16Intro)}</p>
<h3>${b(T.evidenceSection)}</h3>
${m.evidence.map(itemHtml).join("\n")}
<h3>${b(T.timelineSection)}</h3>
${m.timeline.map(itemHtml).join("\n")}

<h2>${b(T.art17)}</h2>
<p>${b(T.art17Body)}</p>
<p>${b(T.trustedContract)}</p><ul>${anchor}</ul>
<p>${b(T.timelineChain)}: ${m.timelineBreak === null ? b(T.timelineComplete) : `${b(T.timelineBroken)} ${escape(m.timelineBreak)}`}</p>

<h2>${b(T.art18)}</h2>
<p>${b(T.art18Intro)}</p>
<table>
<tr><th>#</th><th>${b(T.what)}</th><th>${b(T.submitter)}</th><th>${b(T.acceptedAt)}</th><th></th><th>${b(T.subject)}</th></tr>
${corroboration}
</table>

<h2>${b(T.cannot)}</h2>
<ul>${T.cannotList.map((pair) => `<li>${b(pair)}</li>`).join("")}</ul>
</body>
</html>
`;
}
