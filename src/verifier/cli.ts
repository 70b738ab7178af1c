// `tracemark verify`: checks a receipt offline, or against the one RPC it is given.
// scripts/tracemark.mjs is the executable; this module is its body, importable by tests.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { JsonRpcProvider } from "ethers";
import type { StepResult, VerificationReport, VerificationStatus } from "../merkle/report.ts";
import { CHAIN_OPTIONS, chainFlags, loadTrust } from "./cli-trust.ts";
import type { TrustFlags, TrustFor } from "./cli-trust.ts";
import { looksLikeDisclosure, verifyDisclosure } from "./disclosure.ts";
import type { DisclosureReport } from "./disclosure.ts";
import { verifyReceipt } from "./index.ts";
import { UsageError } from "../cli/usage-error.ts";

export const USAGE = `Usage: tracemark verify <receipt.json|disclosure.json>... (--rpc URL [--trust FILE|URL]... [--contract ADDR [--chain-id N]] | --offline)
                        [--content FILE] [--json]

Checks a Tracemark receipt (docs/receipt-v1.md): its hashes and audit path, the content if
--content is given, and, with --rpc, that the root is anchored on that chain by the anchoring
transaction the receipt names (the block time is read from the chain, never from the receipt).
Only the RPC named by --rpc is asked, and only the contracts you name are trusted: anyone can
deploy a lookalike contract, so the receipt's own "contract" proves nothing by itself.

  --rpc URL            http(s) JSON-RPC endpoint of the chain the receipt names
  --trust FILE|URL     a trust document (the service's /.well-known/tracemark-trust.json) naming
                       the contracts to trust; repeatable. A URL is fetched once and printed on
                       stderr: save it and pass the file next time, so that you pin it
  --contract ADDR      trust this contract (a shortcut for a one-entry trust document) ...
  --chain-id N         ... on chain N; without it, on the chain each receipt names (said on stderr)
  --deploy-block N     ... deployed in block N (no anchor can be older); without it, 0
  --offline            check only what the receipt itself proves; ask no chain
  --content FILE       the notarized file or JSON payload, checked against envelope.contentHash
  --json               print the full report as JSON
  -h, --help           this text

Without --trust or --contract every step still runs, but the result is never "valid": it is
"untrusted" (checked, but not against a trusted contract), exit status 5.

A disclosure document (tracemark.disclosure.v1, docs/disclosure-v1.md: a receipt, the record's
committed field digests and some fields' disclosures) is checked like its receipt, then each
disclosed field against the digests: the fields shown and how many stayed hidden are printed.

Several receipts (a case file, say) are checked one after the other over one connection, with a
line each, against the same trust; --content then is not allowed.

Exit status: 0 valid, 1 invalid (a step failed), 2 usage error (bad flags, unreadable file or
JSON, bad trust document), 3 pending (not sealed or not anchored yet), 4 the chain could not be
asked (RPC error), 5 untrusted (no trusted contract was given).

Other commands (each with its own --help):
  tracemark import <products.csv|lots.csv|events.jsonld> --api URL --key KEY
  tracemark stream watch|check <playlist URL|directory> --stream ID --api URL --key KEY
  tracemark verify-bundle <bundle.zip|folder> (--offline | --rpc URL --trust FILE)`;

/** Exit status per outcome; documented in USAGE and docs/receipt-v1.md. */
export const EXIT: Record<VerificationStatus | "usage", number> = { valid: 0, invalid: 1, usage: 2, pending: 3, error: 4, untrusted: 5 };

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

interface Command {
  receiptPaths: string[];
  contentPath?: string;
  rpcUrl?: string;
  offline: boolean;
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
        content: { type: "string" },
        ...CHAIN_OPTIONS,
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    // parseArgs explains how to pass a positional that starts with "-"; the first sentence will do.
    throw new UsageError((error as Error).message.split(". ")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [command, ...receiptPaths] = positionals;
  if (command !== "verify") throw new UsageError(command === undefined ? "missing command: verify" : `unknown command "${command}"`);
  if (receiptPaths.length === 0) throw new UsageError("missing <receipt.json>");
  if (receiptPaths.length > 1 && values.content !== undefined) throw new UsageError("--content goes with a single receipt");
  const command_: Command = { receiptPaths, offline: values.offline, json: values.json, ...chainFlags(values) };
  if (values.content !== undefined) command_.contentPath = values.content;
  return command_;
}

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}${code ? ` (${code})` : ""}`);
  }
}

const MARK = { true: "✓", false: "✗", null: "–" } as const;

function stepLine(step: StepResult, width: number): string {
  const mark = MARK[String(step.ok) as keyof typeof MARK];
  const why = [step.code, step.reason].filter(Boolean).join(": ");
  return `${mark} ${step.step.padEnd(width)}  ${why}`.trimEnd();
}

export function formatReport(report: VerificationReport | DisclosureReport): string[] {
  const width = Math.max(...report.steps.map((s) => s.step.length));
  const lines = [...report.steps.map((s) => stepLine(s, width)), "", report.summary];
  const disclosure = "disclosure" in report ? report.disclosure : undefined;
  if (disclosure !== undefined) {
    lines.push("", `disclosed fields (${disclosure.disclosed.length}):`);
    for (const field of disclosure.disclosed) lines.push(`  ${field.name} = ${JSON.stringify(field.value)}`);
    lines.push(`hidden fields: ${disclosure.hidden}`);
  }
  return lines;
}

/** A receipt or a disclosure document, each to its own verifier. */
function verifyAny(input: unknown, options: Parameters<typeof verifyReceipt>[1]): Promise<VerificationReport | DisclosureReport> {
  if (!looksLikeDisclosure(input)) return verifyReceipt(input, options);
  const { content: _c, contentSha256: _s, ...rest } = options ?? {};
  return verifyDisclosure(input, rest);
}

async function readReceipt(path: string): Promise<unknown> {
  const text = (await readInput(path, "receipt")).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
}

const MANY_IN_FLIGHT = 16;

/** The receipt a file holds: itself, or the one inside a disclosure document (for trust by chain). */
function receiptOf(input: unknown): unknown {
  return looksLikeDisclosure(input) ? (input as { receipt?: unknown }).receipt : input;
}

// The overall outcome of several receipts: the worst one decides.
// "untrusted" outranks "pending": it says something about the whole run (no trust was given).
const SEVERITY: VerificationStatus[] = ["valid", "pending", "untrusted", "error", "invalid"];
const worst = (statuses: VerificationStatus[]) => statuses.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), "valid" as VerificationStatus);

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let command: Command | "help";
  let receipts: unknown[];
  let content: Buffer | undefined;
  let trustFor: TrustFor;
  try {
    command = parseCommand(argv);
    if (command === "help") {
      io.out(USAGE);
      return 0;
    }
    receipts = [];
    for (const path of command.receiptPaths) receipts.push(await readReceipt(path));
    if (command.contentPath !== undefined) content = await readInput(command.contentPath, "content");
    trustFor = await loadTrust(command.trust, io.err);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`tracemark: ${error.message} (tracemark --help for usage)`);
    return EXIT.usage;
  }
  if (receipts.length > 1) return verifyMany(command, receipts, trustFor, io);

  if (content !== undefined && looksLikeDisclosure(receipts[0])) {
    io.err("tracemark: --content goes with a receipt: a disclosure document carries its own content (tracemark --help for usage)");
    return EXIT.usage;
  }
  const trust = trustFor(receiptOf(receipts[0]));
  const report = await verifyAny(receipts[0], {
    ...(content === undefined ? {} : { content }),
    ...(command.rpcUrl === undefined ? {} : { rpcUrl: command.rpcUrl }),
    ...(trust === undefined ? {} : { trust }),
    offline: command.offline,
  });
  if (command.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return EXIT[report.status];
}

/** One connection for all; a line per receipt naming its status and, when it failed, the step. */
async function verifyMany(command: Command, receipts: unknown[], trustFor: TrustFor, io: Io): Promise<number> {
  let provider: JsonRpcProvider | undefined;
  if (!command.offline) {
    try {
      // Loaded only here, as verifyReceipt does: --offline runs without ethers.
      const { connectRpc } = await import("./rpc.ts");
      provider = await connectRpc(command.rpcUrl!);
    } catch (error) {
      io.err(`tracemark: ${(error as Error).message}`);
      return EXIT.error;
    }
  }
  try {
    // A few receipts in flight at once: the RPC round trips, not the hashing, take the time.
    const reports: VerificationReport[] = new Array(receipts.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < receipts.length; i = next++) {
        const trust = trustFor(receiptOf(receipts[i]));
        reports[i] = await verifyAny(receipts[i], provider ? { provider, ...(trust === undefined ? {} : { trust }) } : { offline: true });
      }
    };
    await Promise.all(Array.from({ length: Math.min(MANY_IN_FLIGHT, receipts.length) }, worker));
    if (command.json) io.out(JSON.stringify(reports.map((report, i) => ({ receipt: command.receiptPaths[i], ...report })), null, 2));
    else {
      reports.forEach((report, i) => {
        const failed = report.steps.find((s) => s.ok === false);
        io.out(`${report.status.padEnd(9)} ${command.receiptPaths[i]}${failed ? `  (${failed.step}: ${failed.code ?? ""} ${failed.reason ?? ""})` : ""}`);
      });
      const counts = SEVERITY.map((s) => `${reports.filter((r) => r.status === s).length} ${s}`).join(", ");
      io.out("");
      io.out(`${reports.length} receipts: ${counts}`);
    }
    return EXIT[worst(reports.map((r) => r.status))];
  } finally {
    provider?.destroy();
  }
}
