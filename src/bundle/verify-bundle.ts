// `tracemark verify-bundle <bundle.zip|folder>`: checks a case's evidence bundle as a whole,
// without the server: the BagIt manifests (RFC 8493), every record's envelope, content and receipt
// (offline, then on chain with --rpc, against the trust the user gives), and that the case's
// timeline is one unbroken chain that names every piece of evidence. A line per item, a summary,
// and the exit status of `tracemark verify`. No database, no server code.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import type { Provider } from "ethers";
import type { VerificationStatus } from "../merkle/report.ts";
import { CHAIN_OPTIONS, chainFlags, loadTrust, type TrustFlags, type TrustFor } from "../verifier/cli-trust.ts";
import { EXIT, type Io } from "../verifier/cli.ts";
import { verifyDisclosure } from "../verifier/disclosure.ts";
import { verifyReceipt } from "../verifier/index.ts";
import { UsageError } from "../cli/usage-error.ts";
import { BagReadError, openBag, type BagReader } from "./bag-reader.ts";
import { parseManifest } from "./bagit.ts";
import type { IndexItem } from "./bundle.ts";

export const USAGE = `Usage: tracemark verify-bundle <bundle.zip|folder> (--rpc URL [--trust FILE|URL]... [--contract ADDR [--chain-id N]] | --offline) [--json]

Checks a Tracemark case bundle (GET /v1/cases/{id}/bundle), zipped or unpacked: the BagIt
manifests (every file's SHA-256), each record's envelope against its recordHash, each file or
payload against its record's contentHash, each disclosure (disclosure.json: the fields of a
record committed field by field) against its record's digests, each receipt (offline; with --rpc also on chain,
against the contracts you trust: pin the service's trust document, do not take the bundle's own
data/trust.json on its word), and that the case's timeline is one unbroken chain of records.

  --rpc URL, --trust FILE|URL, --contract ADDR, --chain-id N, --deploy-block N, --offline
                       as for \`tracemark verify\`
  --json               print every item's result as JSON

Exit status: 0 valid, 1 invalid (a file or a step failed: the line names both), 2 usage error,
3 pending (a record is not anchored yet), 4 the chain could not be asked, 5 untrusted.`;

export interface ItemResult {
  /** The file or folder the result is about. */
  path: string;
  status: VerificationStatus;
  /** What was checked: "manifest", "tagmanifest", "bagit", "envelope", "timeline", or a receipt step. */
  step: string;
  detail: string;
}

const SEVERITY: VerificationStatus[] = ["valid", "pending", "untrusted", "error", "invalid"];
export const worst = (statuses: VerificationStatus[]) => statuses.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), "valid" as VerificationStatus);

async function sha256Of(bag: BagReader, path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of bag.stream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Checks a manifest's lines against the files; returns the hashes it computed, by path. */
async function checkManifest(bag: BagReader, name: string, covers: (file: string) => boolean, out: ItemResult[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  if (!bag.files.includes(name)) {
    out.push({ path: name, status: "invalid", step: name === "manifest-sha256.txt" ? "manifest" : "tagmanifest", detail: "missing" });
    return hashes;
  }
  const step = name === "manifest-sha256.txt" ? "manifest" : "tagmanifest";
  const lines = parseManifest((await bag.read(name)).toString("utf8"));
  if (!Array.isArray(lines)) {
    out.push({ path: name, status: "invalid", step, detail: `line ${lines.line} ${lines.problem}` });
    return hashes;
  }
  const listed = new Set<string>();
  let ok = 0;
  for (const line of lines) {
    listed.add(line.path);
    if (!bag.files.includes(line.path)) {
      out.push({ path: line.path, status: "invalid", step, detail: `listed in ${name} but not in the bag` });
      continue;
    }
    const actual = await sha256Of(bag, line.path);
    hashes.set(line.path, actual);
    if (actual !== line.sha256) out.push({ path: line.path, status: "invalid", step, detail: `its SHA-256 is ${actual}; ${name} says ${line.sha256}` });
    else ok++;
  }
  for (const file of bag.files.filter(covers)) if (!listed.has(file)) out.push({ path: file, status: "invalid", step, detail: `in the bag but not in ${name}` });
  out.push({ path: name, status: "valid", step, detail: `${ok} of ${lines.length} files match` });
  return hashes;
}

/**
 * A record committed field by field: its disclosure.json verified like `tracemark verify` does a
 * disclosure (the receipt inside it, with the committed payload as content, then every disclosure
 * against the payload's digests), and it must be the folder's own record.
 */
async function checkDisclosure(bag: BagReader, path: string, recordHash: string, options: { provider?: Provider; trustFor?: TrustFor }): Promise<ItemResult> {
  let document: { receipt?: { record?: { recordHash?: string } } };
  try {
    document = JSON.parse((await bag.read(path)).toString("utf8")) as typeof document;
  } catch (error) {
    return { path, status: "invalid", step: "format", detail: `unreadable: ${(error as Error).message}` };
  }
  if (document.receipt?.record?.recordHash !== recordHash) {
    return { path, status: "invalid", step: "disclosure", detail: `its receipt is of record ${String(document.receipt?.record?.recordHash)}, not of this folder's record ${recordHash}` };
  }
  const trust = options.trustFor?.(document.receipt);
  const report = await verifyDisclosure(document, options.provider ? { provider: options.provider, ...(trust === undefined ? {} : { trust }) } : { offline: true });
  const failed = report.steps.find((s) => s.ok === false);
  if (failed) return { path, status: report.status, step: failed.step, detail: `${failed.code ?? ""} ${failed.reason ?? ""}`.trim() };
  const shown = report.disclosure;
  const names = shown?.disclosed.map((d) => d.name).join(", ") || "none";
  return { path, status: report.status, step: "disclosure", detail: `${shown?.disclosed.length ?? 0} field(s) disclosed (${names}), ${shown?.hidden ?? 0} hidden` };
}

interface Timeline {
  envelope: { kind: string; prev: string | null };
  recordHash: string;
  payload: unknown;
}

export async function verifyBag(bag: BagReader, options: { provider?: Provider; trustFor?: TrustFor }): Promise<ItemResult[]> {
  const out: ItemResult[] = [];
  const bagit = bag.files.includes("bagit.txt") ? (await bag.read("bagit.txt")).toString("utf8") : "";
  out.push(/^BagIt-Version: 1\.0$/m.test(bagit) ? { path: "bagit.txt", status: "valid", step: "bagit", detail: "BagIt 1.0" } : { path: "bagit.txt", status: "invalid", step: "bagit", detail: "missing or not a BagIt 1.0 declaration" });
  await checkManifest(bag, "tagmanifest-sha256.txt", (f) => !f.startsWith("data/") && f !== "tagmanifest-sha256.txt" && /^[^/]+\.txt$/.test(f), out);
  const hashes = await checkManifest(bag, "manifest-sha256.txt", (f) => f.startsWith("data/"), out);

  let index: IndexItem[];
  try {
    index = (JSON.parse((await bag.read("data/case.json")).toString("utf8")) as { index: IndexItem[] }).index;
    if (!Array.isArray(index)) throw new Error("no index");
  } catch (error) {
    out.push({ path: "data/case.json", status: "invalid", step: "index", detail: `unreadable: ${(error as Error).message}` });
    return out;
  }

  const timeline: Timeline[] = [];
  const evidenceHashes: Array<{ path: string; recordHash: string }> = [];
  for (const item of index) {
    const folder = item.receipt.replace(/\/receipt\.json$/, "");
    let receipt: { record?: { recordHash?: string; envelope?: { kind: string; prev: string | null } } };
    try {
      receipt = JSON.parse((await bag.read(item.receipt)).toString("utf8")) as typeof receipt;
    } catch (error) {
      out.push({ path: item.receipt, status: "invalid", step: "format", detail: `unreadable: ${(error as Error).message}` });
      continue;
    }
    const recordHash = String(receipt.record?.recordHash ?? "");
    // envelope.json: the exact bytes whose SHA-256 the record hash is (the by-hand check of VERIFY.md).
    const envelopeHash = hashes.get(item.envelope) ?? (bag.files.includes(item.envelope) ? await sha256Of(bag, item.envelope) : null);
    if (envelopeHash !== recordHash) {
      out.push({ path: item.envelope, status: "invalid", step: "envelope", detail: envelopeHash === null ? "missing" : `its SHA-256 is ${envelopeHash}, the receipt's recordHash is ${recordHash}` });
    }
    const contentSha256 = item.content === null ? undefined : (hashes.get(item.content) ?? (bag.files.includes(item.content) ? await sha256Of(bag, item.content) : undefined));
    const trust = options.trustFor?.(receipt);
    const report = await verifyReceipt(receipt, {
      ...(contentSha256 === undefined ? {} : { contentSha256 }),
      ...(options.provider ? { provider: options.provider, ...(trust === undefined ? {} : { trust }) } : { offline: true }),
    });
    const failed = report.steps.find((s) => s.ok === false);
    // A failed content step is about the content file; any other about the receipt.
    const path = failed?.step === "contentHash" && item.content ? item.content : item.receipt;
    const detail = failed
      ? `${failed.code ?? ""} ${failed.reason ?? ""}`.trim()
      : `${item.kind}${item.content ? "" : " (no content in the bag: its hash only)"}${report.onChain ? `, block ${report.onChain.blockNumber} at ${report.onChain.blockTime}` : ""}`;
    out.push({ path: failed ? path : folder, status: report.status, step: failed?.step ?? "receipt", detail });
    if (item.disclosure) out.push(await checkDisclosure(bag, item.disclosure, recordHash, options));
    if (item.role === "timeline" && receipt.record?.envelope) {
      const payload = item.content ? JSON.parse((await bag.read(item.content)).toString("utf8")) : null;
      timeline.push({ envelope: receipt.record.envelope, recordHash, payload });
    } else if (item.role === "evidence") evidenceHashes.push({ path: folder, recordHash });
  }

  // The timeline: each record's prev names the one before it, and every piece of evidence was
  // added by a record of it (case.evidence-added names the evidence's recordHash).
  const broken = timeline.findIndex((t, i) => t.envelope.prev !== (i === 0 ? null : timeline[i - 1]!.recordHash));
  out.push(
    broken < 0
      ? { path: "data/timeline", status: "valid", step: "timeline", detail: `${timeline.length} records, each linked to the one before` }
      : { path: "data/timeline", status: "invalid", step: "timeline", detail: `record ${broken + 1} (${timeline[broken]!.envelope.kind}) does not link to the one before` },
  );
  const added = new Set(timeline.filter((t) => t.envelope.kind === "case.evidence-added").map((t) => (t.payload as { record?: { recordHash?: string } } | null)?.record?.recordHash));
  for (const e of evidenceHashes) {
    if (!added.has(e.recordHash)) out.push({ path: e.path, status: "invalid", step: "timeline", detail: "no case.evidence-added record of the timeline names this record" });
  }
  return out;
}

interface Command {
  path: string;
  rpcUrl?: string;
  json: boolean;
  trust: TrustFlags;
}

function parseCommand(argv: string[]): Command | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ...CHAIN_OPTIONS,
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split(". ")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing <bundle.zip>" : "one bundle at a time");
  return { path: positionals[0]!, json: values.json, ...chainFlags(values) };
}

export async function main(argv: string[], io: Io): Promise<number> {
  let command: Command | "help";
  let bag: BagReader;
  try {
    command = parseCommand(argv);
    if (command === "help") {
      io.out(USAGE);
      return 0;
    }
    bag = await openBag(command.path);
  } catch (error) {
    return usageError(error, io);
  }
  try {
    return await checkBag(command, bag, io);
  } finally {
    bag.close();
  }
}

function usageError(error: unknown, io: Io): number {
  if (!(error instanceof UsageError) && !(error instanceof BagReadError)) throw error;
  io.err(`tracemark: ${error.message} (tracemark verify-bundle --help for usage)`);
  return EXIT.usage;
}

/** Everything after the bag is open: the trust to pin, the chain to ask, the checks and their report. */
async function checkBag(command: Command, bag: BagReader, io: Io): Promise<number> {
  let trustFor: TrustFor;
  try {
    trustFor = await loadTrust(command.trust, io.err);
  } catch (error) {
    return usageError(error, io);
  }
  let provider: (Provider & { destroy(): void }) | undefined;
  if (command.rpcUrl !== undefined) {
    try {
      const { connectRpc } = await import("../verifier/rpc.ts");
      provider = await connectRpc(command.rpcUrl);
    } catch (error) {
      io.err(`tracemark: ${(error as Error).message}`);
      return EXIT.error;
    }
  }
  try {
    const results = await verifyBag(bag, { ...(provider ? { provider } : {}), trustFor });
    const status = worst(results.map((r) => r.status));
    if (command.json) io.out(JSON.stringify({ status, results }, null, 2));
    else {
      for (const r of results) io.out(`${r.status.padEnd(9)} ${r.path}  ${r.step}: ${r.detail}`);
      const counts = SEVERITY.map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(", ");
      io.out("");
      io.out(`${status}: ${results.length} checks: ${counts}`);
    }
    return EXIT[status];
  } finally {
    provider?.destroy();
  }
}
