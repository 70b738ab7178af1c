// `tracemark verify`: checks a receipt offline, or against the one RPC it is given.
// scripts/tracemark.mjs is the executable; this module is its body, importable by tests.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { JsonRpcProvider } from "ethers";
import type { StepResult, VerificationReport, VerificationStatus } from "../merkle/report.ts";
import { verifyReceipt } from "./index.ts";

export const USAGE = `Usage: tracemark verify <receipt.json>... (--rpc URL | --offline) [--content FILE] [--json]

Checks a Tracemark receipt (docs/receipt-v1.md): its hashes and audit path, the content if
--content is given, and, with --rpc, that the root is anchored on that chain (the block time is
read from the chain, never from the receipt). Only the RPC named by --rpc is trusted.

  --rpc URL        http(s) JSON-RPC endpoint of the chain the receipt names
  --offline        check only what the receipt itself proves; ask no chain
  --content FILE   the notarized file or JSON payload, checked against envelope.contentHash
  --json           print the full report as JSON
  -h, --help       this text

Several receipts (a case file, say) are checked one after the other over one connection, with a
line each; --content then is not allowed.

Exit status: 0 valid, 1 invalid (a step failed), 2 usage error (bad flags, unreadable file or
JSON), 3 pending (not sealed or not anchored yet), 4 the chain could not be asked (RPC error).`;

/** Exit status per outcome; documented in USAGE and docs/receipt-v1.md. */
export const EXIT: Record<VerificationStatus | "usage", number> = { valid: 0, invalid: 1, usage: 2, pending: 3, error: 4 };

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const processIo: Io = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
};

class UsageError extends Error {}

interface Command {
  receiptPaths: string[];
  contentPath?: string;
  rpcUrl?: string;
  offline: boolean;
  json: boolean;
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
        rpc: { type: "string" },
        offline: { type: "boolean", default: false },
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
  if (values.offline && values.rpc !== undefined) throw new UsageError("--offline and --rpc exclude each other");
  if (!values.offline && values.rpc === undefined) {
    throw new UsageError("give --rpc URL (the chain to check the anchor against; the only one trusted) or --offline");
  }
  if (values.rpc !== undefined && !isHttpUrl(values.rpc)) throw new UsageError(`--rpc must be an http(s) URL`);
  const command_: Command = { receiptPaths, offline: values.offline, json: values.json };
  if (values.rpc !== undefined) command_.rpcUrl = values.rpc;
  if (values.content !== undefined) command_.contentPath = values.content;
  return command_;
}

function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
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

export function formatReport(report: VerificationReport): string[] {
  const width = Math.max(...report.steps.map((s) => s.step.length));
  return [...report.steps.map((s) => stepLine(s, width)), "", report.summary];
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

// The overall outcome of several receipts: the worst one decides.
const SEVERITY: VerificationStatus[] = ["valid", "pending", "error", "invalid"];
const worst = (statuses: VerificationStatus[]) => statuses.reduce((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), "valid" as VerificationStatus);

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let command: Command | "help";
  let receipts: unknown[];
  let content: Buffer | undefined;
  try {
    command = parseCommand(argv);
    if (command === "help") {
      io.out(USAGE);
      return 0;
    }
    receipts = [];
    for (const path of command.receiptPaths) receipts.push(await readReceipt(path));
    if (command.contentPath !== undefined) content = await readInput(command.contentPath, "content");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`tracemark: ${error.message} (tracemark --help for usage)`);
    return EXIT.usage;
  }
  if (receipts.length > 1) return verifyMany(command, receipts, io);

  const report = await verifyReceipt(receipts[0], {
    ...(content === undefined ? {} : { content }),
    ...(command.rpcUrl === undefined ? {} : { rpcUrl: command.rpcUrl }),
    offline: command.offline,
  });
  if (command.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return EXIT[report.status];
}

/** One connection for all; a line per receipt naming its status and, when it failed, the step. */
async function verifyMany(command: Command, receipts: unknown[], io: Io): Promise<number> {
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
      for (let i = next++; i < receipts.length; i = next++) reports[i] = await verifyReceipt(receipts[i], provider ? { provider } : { offline: true });
    };
    await Promise.all(Array.from({ length: Math.min(MANY_IN_FLIGHT, receipts.length) }, worker));
    if (command.json) io.out(JSON.stringify(reports.map((report, i) => ({ receipt: command.receiptPaths[i], ...report })), null, 2));
    else {
      reports.forEach((report, i) => {
        const failed = report.steps.find((s) => s.ok === false);
        io.out(`${report.status.padEnd(7)} ${command.receiptPaths[i]}${failed ? `  (${failed.step}: ${failed.code ?? ""} ${failed.reason ?? ""})` : ""}`);
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
