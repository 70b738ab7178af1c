// "Check a file": a receipt (a file or pasted JSON) and, optionally, the file it is about. Every
// step runs here, in the browser, with the project's own verifier (the CLI's library, bundled):
// nothing is uploaded. The file is hashed streaming (hash-file.ts), so its size does not matter;
// JSON content small enough is handed over whole, since its contentHash is over its RFC 8785 form.
// Each step gets a verdict and a sentence a non-engineer can follow; the trust used is the
// document the page pins, shown beside the report; the report prints.
//
// A disclosure document (docs/disclosure-v1.md: some fields of an order, a payment, an after-sales
// request) is checked the way the CLI checks one (src/verifier/disclosure.ts): its receipt with
// the committed payload as content, then each disclosed field against the record's digests; the
// fields it shows are listed, and how many stayed hidden. No file is needed for it.
import type { StepResult, VerificationReport } from "../../merkle/report.ts";
import { isJsonMediaType } from "../../merkle/index.ts";
import { looksLikeDisclosure, verifyDisclosure, type DisclosureReport } from "../../verifier/disclosure.ts";
import { verifyReceipt } from "../../verifier/index.ts";
import { connectRpc } from "../../verifier/rpc.ts";
import type { TrustDocument } from "../../verifier/trust.ts";
import { doc, el, here, pageJson, printPage, say, type El, type Ev, type Fileish, type Messages } from "./consumer-dom.ts";
import { sha256OfBlob } from "./hash-file.ts";

const RPC_TIMEOUT_MS = 10_000;
/** JSON content up to this size is checked in its canonical form; larger, by its raw bytes. */
const JSON_WHOLE_MAX = 16 * 1024 * 1024;

type Verdict = "valid" | "invalid" | "pending" | "error";

const verdictOf = (report: VerificationReport): Verdict => (report.status === "untrusted" ? "invalid" : report.status);

/** The words for a step: a disclosure's content is its committed payload, not a file the user gave. */
const stepKey = (step: string, disclosure: boolean) => (disclosure && step === "contentHash" ? "payload" : step);

function stepItem(step: StepResult, messages: Messages, disclosure: boolean): ReturnType<typeof el> {
  const outcome = step.ok === true ? "pass" : step.ok === false ? "fail" : "skip";
  const key = stepKey(step.step, disclosure);
  const item = el("li", { className: `step step-${outcome}`, data: { step: step.step, ok: String(step.ok) } });
  item.append(el("span", { className: "step-mark", text: say(messages, `check.mark.${outcome}`) }));
  item.append(el("strong", { text: say(messages, `check.step.${key}`) }));
  const explanation = outcome === "skip" ? say(messages, "check.explain.skip") : say(messages, `check.explain.${key}.${outcome}`);
  item.append(el("p", { text: explanation }));
  if (step.reason && outcome !== "pass") item.append(el("p", { className: "small", text: say(messages, "check.detail", { reason: step.reason }) }));
  return item;
}

/** The disclosed fields, each value as the JSON it is (text, never markup), and how many stayed hidden. */
function showFields(section: El, shown: NonNullable<DisclosureReport["disclosure"]>, messages: Messages): void {
  const rows = section.querySelector("[data-role=fields]")!;
  for (const field of shown.disclosed) {
    const row = el("tr", { data: { disclosedField: field.name } });
    row.append(el("th", { text: field.name }), el("td", { text: JSON.stringify(field.value) }));
    rows.append(row);
  }
  section.querySelector("[data-role=hidden]")!.textContent = say(messages, "check.disclosure.hidden", { hidden: shown.hidden });
  section.hidden = false;
}

function main(): void {
  const root = doc().querySelector("#check");
  const form = doc().querySelector("#tm-check");
  if (!root || !form) return;
  root.dataset["js"] = "on";
  const messages = pageJson<Messages>("tm-messages");
  const trust = pageJson<TrustDocument>("tm-trust");
  const locale = doc().documentElement.lang || "zh-CN";
  const status = root.querySelector("#tm-status")!;
  const progress = root.querySelector("#tm-progress")!;
  const report = root.querySelector("#tm-report")!;
  const submit = form.querySelector("button[type=submit]")!;
  root.querySelector("#tm-print")?.addEventListener("click", () => printPage());
  let droppedContent: Fileish | null = null;
  let droppedReceipt: Fileish | null = null;
  root.querySelector("[data-role=drop]")?.addEventListener("dragover", (e) => e.preventDefault());
  root.querySelector("[data-role=drop]")?.addEventListener("drop", (e: Ev) => {
    e.preventDefault();
    for (const file of Array.from(e.dataTransfer?.files ?? [])) {
      if (/\.json$/i.test(file.name) && droppedReceipt === null) droppedReceipt = file;
      else droppedContent = file;
    }
    status.textContent = say(messages, "check.js.dropped", { names: [droppedReceipt, droppedContent].filter(Boolean).map((f) => f!.name).join(", ") });
  });

  const finish = (verdict: Verdict, headline: string) => {
    root.dataset["verdict"] = verdict;
    report.dataset["verdict"] = verdict;
    const h = report.querySelector("[data-role=headline]")!;
    h.textContent = headline;
    h.className = `verdict verdict-${verdict}`;
    report.hidden = false;
    root.dataset["verification"] = "done";
    submit.disabled = false;
  };

  form.addEventListener("submit", (event: Ev) => {
    event.preventDefault();
    void (async () => {
      submit.disabled = true;
      root.dataset["verification"] = "running";
      delete root.dataset["verdict"];
      report.hidden = true;
      report.querySelector("[data-role=steps]")!.replaceChildren();
      const shown = report.querySelector("[data-role=disclosure]")!;
      shown.hidden = true;
      shown.querySelector("[data-role=fields]")!.replaceChildren();

      const receiptFile = droppedReceipt ?? form.querySelector("#tm-receipt-file")!.files?.[0] ?? null;
      const pasted = form.querySelector("#tm-receipt-text")!.value.trim();
      let receipt: unknown;
      try {
        receipt = JSON.parse(receiptFile ? await receiptFile.text() : pasted);
      } catch {
        return finish("invalid", say(messages, receiptFile || pasted ? "check.js.notJson" : "check.js.noReceipt"));
      }

      const disclosure = looksLikeDisclosure(receipt);
      // A disclosure carries its own content (the committed payload): a file beside it is not used.
      const contentFile = disclosure ? null : (droppedContent ?? form.querySelector("#tm-content-file")!.files?.[0] ?? null);
      const given: { content?: Uint8Array; contentSha256?: string } = {};
      if (contentFile) {
        const mediaType = (receipt as { record?: { envelope?: { mediaType?: unknown } } } | null)?.record?.envelope?.mediaType;
        if (typeof mediaType === "string" && isJsonMediaType(mediaType) && contentFile.size <= JSON_WHOLE_MAX) {
          given.content = new Uint8Array(await contentFile.arrayBuffer());
        } else {
          progress.hidden = false;
          given.contentSha256 = await sha256OfBlob(contentFile, (done, total) => {
            const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
            progress.setAttribute("value", String(percent));
            status.textContent = say(messages, "check.js.hashing", { percent });
          });
          progress.hidden = true;
        }
      }

      status.textContent = say(messages, "check.js.asking");
      let result: DisclosureReport;
      const rpcUrl = root.dataset["rpcUrl"];
      const check = (options: { offline: true } | { provider: Awaited<ReturnType<typeof connectRpc>>; trust: TrustDocument["anchors"] }) =>
        disclosure ? verifyDisclosure(receipt, options) : verifyReceipt(receipt, { ...given, ...options });
      try {
        if (!rpcUrl) {
          result = await check({ offline: true });
        } else {
          const provider = await connectRpc(new URL(rpcUrl, here()).href, RPC_TIMEOUT_MS);
          try {
            result = await check({ provider, trust: trust.anchors });
          } finally {
            provider.destroy();
          }
        }
      } catch (error) {
        status.textContent = "";
        return finish("error", say(messages, "check.js.error", { reason: String(error) }));
      }
      const steps = report.querySelector("[data-role=steps]")!;
      for (const step of result.steps) steps.append(stepItem(step, messages, disclosure));
      const verdict = verdictOf(result);
      const content = root.querySelector("[data-role=content]");
      if (content) content.textContent = say(messages, disclosure ? "check.js.disclosure" : contentFile ? "check.js.withFile" : "check.js.withoutFile", { name: contentFile?.name ?? "" });
      status.textContent = "";
      if (result.disclosure) showFields(shown, result.disclosure, messages);
      if (verdict === "valid" && result.disclosure && result.onChain) {
        const time = new Date(result.onChain.blockTime).toLocaleString(locale, { dateStyle: "long", timeStyle: "medium", timeZone: root.dataset["timeZone"] ?? "Asia/Shanghai" });
        finish("valid", say(messages, "check.verdict.disclosure", { time, block: result.onChain.blockNumber, count: result.disclosure.disclosed.length, hidden: result.disclosure.hidden }));
      } else if (verdict === "valid" && result.onChain) {
        const time = new Date(result.onChain.blockTime).toLocaleString(locale, { dateStyle: "long", timeStyle: "medium", timeZone: root.dataset["timeZone"] ?? "Asia/Shanghai" });
        finish("valid", say(messages, contentFile ? "check.verdict.validWithFile" : "check.verdict.valid", { time, block: result.onChain.blockNumber }));
      } else if (verdict === "valid") {
        finish("valid", say(messages, "check.verdict.validOffline"));
      } else if (verdict === "invalid") {
        const failed = result.steps.find((s) => s.ok === false);
        finish("invalid", say(messages, "check.verdict.invalid", { step: failed ? say(messages, `check.step.${stepKey(failed.step, disclosure)}`) : result.summary }));
      } else {
        finish(verdict, say(messages, `check.verdict.${verdict}`));
      }
    })().catch((error: unknown) => finish("error", say(messages, "check.js.error", { reason: String(error) })));
  });
}

main();
