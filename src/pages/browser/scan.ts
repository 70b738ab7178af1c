// The scan page's verifier: for every timeline entry, the project's own receipt-v1 library (the
// code the CLI runs, bundled by src/pages/assets.ts) recomputes recordHash, contentHash, leafHash
// and the audit path, then asks the chain through the page's public RPC for the anchor, the
// Anchored log and the block time, against the trust document the page pins. The server's word is
// never used: only the receipts and payloads it sent, which the checks either confirm or refute.
import type { VerificationReport } from "../../merkle/report.ts";
import type { TrustDocument } from "../../verifier/trust.ts";
import { verifyReceipt } from "../../verifier/index.ts";
import { pageProvider } from "./page-rpc.ts";
import { pageDocument as document, pageLocation, type PageElement } from "./dom.ts";

type Verdict = "valid" | "invalid" | "pending" | "error";
type Messages = Record<string, string>;

const RPC_TIMEOUT_MS = 10_000;
/** Entries checked at once: each is a handful of RPC calls, shared and batched (page-rpc.ts). */
const CONCURRENCY = 8;

function json<T>(id: string, root: PageElement = document): T {
  const element = root.querySelector(`script[type="application/json"]${id}`);
  return JSON.parse(element?.textContent ?? "null") as T;
}

function say(messages: Messages, key: string, params: Record<string, string | number> = {}): string {
  return (messages[key] ?? key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

function verdictOf(report: VerificationReport): Verdict {
  // No trusted contract among the results is a failure here: the page always pins one.
  if (report.status === "untrusted") return "invalid";
  return report.status;
}

function describe(report: VerificationReport, messages: Messages, locale: string, timeZone: string | undefined): string {
  const verdict = verdictOf(report);
  if (verdict === "valid" && report.onChain) {
    const time = new Date(report.onChain.blockTime).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short", ...(timeZone ? { timeZone } : {}) });
    return say(messages, "verify.valid", { time, block: report.onChain.blockNumber });
  }
  if (verdict === "invalid") {
    const failed = report.steps.find((s) => s.ok === false) ?? report.steps.find((s) => s.step === "trust" && s.ok !== true);
    const step = failed ? say(messages, `verify.step.${failed.step}`) : "";
    return say(messages, "verify.invalid", { step });
  }
  if (verdict === "pending") return say(messages, "verify.pending");
  return say(messages, "verify.error");
}

function show(entry: PageElement, verdict: Verdict, text: string, detail?: string): void {
  const target = entry.querySelector("[data-role=verdict]");
  if (target) {
    target.textContent = text;
    target.className = `verdict verdict-${verdict}`;
    if (detail) target.title = detail;
  }
  entry.dataset["verdict"] = verdict;
}

async function main(): Promise<void> {
  const root = document.querySelector("[data-verification]");
  if (!root) return;
  const messages = json<Messages>("#tm-messages");
  const trust = json<TrustDocument>("#tm-trust");
  const locale = document.documentElement.lang || "zh-CN";
  const rpcUrl = root.dataset["rpcUrl"];
  const timeZone = root.dataset["timeZone"];
  const entries = [...root.querySelectorAll("[data-entry]")];
  root.dataset["verification"] = "running";
  for (const entry of entries) show(entry, "pending", say(messages, "verify.checking"));
  entries.forEach((e) => delete e.dataset["verdict"]);

  let provider: Awaited<ReturnType<typeof pageProvider>> | undefined;
  let unreachable: string | undefined;
  if (rpcUrl) {
    try {
      provider = await pageProvider(new URL(rpcUrl, pageLocation()).href, RPC_TIMEOUT_MS);
    } catch (error) {
      unreachable = String(error);
    }
  }

  const check = async (entry: PageElement) => {
    try {
      const data = json<{ receipt: unknown; payload: string | null }>(".tm-receipt", entry);
      const content = data.payload === null ? undefined : new TextEncoder().encode(data.payload);
      const base = content === undefined ? {} : { content };
      if (provider === undefined) {
        const offline = await verifyReceipt(data.receipt, { ...base, offline: true });
        if (offline.status === "invalid") return show(entry, "invalid", describe(offline, messages, locale, timeZone), offline.summary);
        return show(entry, "error", say(messages, unreachable ? "verify.error" : "verify.noRpc"), unreachable);
      }
      const report = await verifyReceipt(data.receipt, { ...base, provider, trust: trust.anchors });
      show(entry, verdictOf(report), describe(report, messages, locale, timeZone), report.summary);
    } catch (error) {
      show(entry, "error", say(messages, "verify.error"), String(error));
    }
  };

  const queue = [...entries];
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
      for (let entry = queue.shift(); entry !== undefined; entry = queue.shift()) await check(entry);
    }),
  );
  provider?.destroy();
  const verdicts = entries.map((e) => e.dataset["verdict"]);
  const summary = root.querySelector("[data-role=summary]");
  if (summary) {
    const bad = verdicts.filter((v) => v === "invalid").length;
    summary.textContent =
      bad > 0 ? say(messages, "verify.summary.invalid", { bad, total: entries.length }) : say(messages, "verify.summary.done", { ok: verdicts.filter((v) => v === "valid").length, total: entries.length });
    summary.className = `summary ${bad > 0 ? "summary-invalid" : "summary-done"}`;
  }
  root.dataset["verification"] = "done";
}

void main();
