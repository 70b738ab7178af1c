// The receipt page /r/{id}: follows the record from accepted to final by polling its public JSON
// (GET /v1/public/records/{id}) with a growing pause, and once the record is anchored checks its
// receipt here, with the project's own verifier (the CLI's library, bundled), against the chain
// through the page's RPC and the trust document the page pins. The server's status is shown as
// the server's; the verdict is the browser's.
import type { VerificationReport } from "../../merkle/report.ts";
import { verifyReceipt } from "../../verifier/index.ts";
import { connectRpc } from "../../verifier/rpc.ts";
import type { TrustDocument } from "../../verifier/trust.ts";
import { doc, downloadLink, here, pageJson, say, type Messages } from "./consumer-dom.ts";

const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 15_000;
const RPC_TIMEOUT_MS = 10_000;

interface View {
  id: string;
  status: "accepted" | "sealed" | "submitted" | "anchored" | "final";
  receipt: { anchor: { status: string } | null };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const root = doc().querySelector("#receipt");
  if (!root) return;
  const id = root.dataset["recordId"]!;
  const messages = pageJson<Messages>("tm-messages");
  const trust = pageJson<TrustDocument>("tm-trust");
  const locale = doc().documentElement.lang || "zh-CN";
  const statusText = root.querySelector("[data-role=status]");
  const verdictText = root.querySelector("[data-role=verdict]");
  const download = root.querySelector("#tm-download");
  root.dataset["js"] = "on";

  let verifiedFor: string | null = null;
  const verify = async (view: View): Promise<void> => {
    if (verifiedFor === view.status) return;
    verifiedFor = view.status;
    root.dataset["verification"] = "running";
    if (verdictText) verdictText.textContent = say(messages, "receipt.js.checking");
    let report: VerificationReport;
    try {
      const rpcUrl = root.dataset["rpcUrl"];
      if (!rpcUrl) throw new Error(say(messages, "receipt.js.noRpc"));
      const provider = await connectRpc(new URL(rpcUrl, here()).href, RPC_TIMEOUT_MS);
      try {
        report = await verifyReceipt(view.receipt, { provider, trust: trust.anchors });
      } finally {
        provider.destroy();
      }
    } catch (error) {
      root.dataset["verdict"] = "error";
      if (verdictText) verdictText.textContent = say(messages, "receipt.js.error", { reason: String(error) });
      return;
    }
    const verdict = report.status === "untrusted" ? "invalid" : report.status;
    root.dataset["verdict"] = verdict;
    if (!verdictText) return;
    if (verdict === "valid" && report.onChain) {
      const time = new Date(report.onChain.blockTime).toLocaleString(locale, { dateStyle: "medium", timeStyle: "medium", timeZone: root.dataset["timeZone"] ?? "Asia/Shanghai" });
      verdictText.textContent = say(messages, "receipt.js.valid", { time, block: report.onChain.blockNumber });
    } else if (verdict === "invalid") {
      const failed = report.steps.find((s) => s.ok === false);
      verdictText.textContent = say(messages, "receipt.js.invalid", { step: failed ? say(messages, `check.step.${failed.step}`) : report.summary });
    } else {
      verdictText.textContent = say(messages, `receipt.js.${verdict}`);
    }
    verdictText.className = `verdict verdict-${verdict}`;
  };

  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(MAX_PAUSE_MS, Math.round(pause * 1.5))) {
    let view: View | null = null;
    try {
      const res = await fetch(`/v1/public/records/${encodeURIComponent(id)}`, { headers: { accept: "application/json" } });
      if (res.ok) view = (await res.json()) as View;
    } catch {
      // Offline for a moment: try again after the pause.
    }
    if (view) {
      root.dataset["status"] = view.status;
      if (statusText) statusText.textContent = say(messages, `receipt.status.${view.status}`);
      if (download) downloadLink(download, `${JSON.stringify(view.receipt, null, 2)}\n`, `tracemark-receipt-${id}.json`);
      if (view.status === "anchored" || view.status === "final") await verify(view);
      if (view.status === "final" && root.dataset["verdict"] !== "error") break;
    }
    await sleep(pause);
  }
  root.dataset["verification"] = "done";
}

void main();
