// `tracemark verify`: checks a receipt offline, or against the one RPC it is given.
// scripts/tracemark.mjs is the executable; this module is its body, importable by tests.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { StepResult, VerificationReport, VerificationStatus } from "../merkle/report.ts";
import { verifyReceipt } from "./index.ts";

export const USAGE = `Usage: tracemark verify <receipt.json> (--rpc URL | --offline) [--content FILE] [--json]

Checks a Tracemark receipt (docs/receipt-v1.md): its hashes and audit path, the content if
--content is given, and, with --rpc, that the root is anchored on that chain (the block time is
read from the chain, never from the receipt). Only the RPC named by --rpc is trusted.

  --rpc URL        http(s) JSON-RPC endpoint of the chain the receipt names
  --offline        check only what the receipt itself proves; ask no chain
  --content FILE   the notarized file or JSON payload, checked against envelope.contentHash
  --json           print the full report as JSON
  -h, --help       this text

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
  receiptPath: string;
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
  const [command, receiptPath, ...extra] = positionals;
  if (command !== "verify") throw new UsageError(command === undefined ? "missing command: verify" : `unknown command "${command}"`);
  if (receiptPath === undefined) throw new UsageError("missing <receipt.json>");
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.offline && values.rpc !== undefined) throw new UsageError("--offline and --rpc exclude each other");
  if (!values.offline && values.rpc === undefined) {
    throw new UsageError("give --rpc URL (the chain to check the anchor against; the only one trusted) or --offline");
  }
  if (values.rpc !== undefined && !isHttpUrl(values.rpc)) throw new UsageError(`--rpc must be an http(s) URL`);
  const command_: Command = { receiptPath, offline: values.offline, json: values.json };
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

/** Runs the CLI; resolves to the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let command: Command | "help";
  let receipt: unknown;
  let content: Buffer | undefined;
  try {
    command = parseCommand(argv);
    if (command === "help") {
      io.out(USAGE);
      return 0;
    }
    const text = (await readInput(command.receiptPath, "receipt")).toString("utf8");
    try {
      receipt = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${command.receiptPath} is not JSON: ${(error as Error).message}`);
    }
    if (command.contentPath !== undefined) content = await readInput(command.contentPath, "content");
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`tracemark: ${error.message} (tracemark --help for usage)`);
    return EXIT.usage;
  }

  const report = await verifyReceipt(receipt, {
    ...(content === undefined ? {} : { content }),
    ...(command.rpcUrl === undefined ? {} : { rpcUrl: command.rpcUrl }),
    offline: command.offline,
  });
  if (command.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return EXIT[report.status];
}
