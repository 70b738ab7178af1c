// `tracemark import`: sends a products CSV, a lots CSV or an EPCIS 2.0 document to a Tracemark
// service a chunk at a time, resumable (resume.ts), with progress on stderr and a summary on stdout.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { apiClient, ApiUnreachable, type ApiClient } from "./api.ts";
import { importEvents } from "./events.ts";
import { addTally, emptyTally, handled, type Tally } from "./outcome.ts";
import { progressOn } from "./progress.ts";
import { loadResume, removeResume, resumePathOf, saveResume, type ResumeState } from "./resume.ts";
import { importRows } from "./rows.ts";
import { csvChunks, eventChunks, kindOf, readEventsFile, scanFile, type ImportKind } from "./sources.ts";
import { UsageError } from "../cli/usage-error.ts";

export const IMPORT_USAGE = `Usage: tracemark import <products.csv|lots.csv|events.jsonld> --api URL [--key KEY]
                        [--kind products|lots|events] [--chunk-size N] [--max-chunks N] [--json]

Registers products or lots from a CSV (products: gtin,name,brand,category,origin,description;
lots: gtin,lot,productionDate,expiryDate,origin; a header row; empty cells are left out), or
captures the events of an EPCIS 2.0 document (JSON-LD), a chunk at a time.

  --api URL          the Tracemark service, e.g. http://127.0.0.1:3000
  --key KEY          a merchant API key; without it, the TRACEMARK_API_KEY environment variable
                     (better: a command line is visible to other users of the machine). Never printed
  --kind K           products, lots or events; by default .json/.jsonld is events and a CSV says by
                     its header (a lot column: lots)
  --chunk-size N     rows or events per chunk (default 100 rows, 500 events; at most 1,000 events)
  --max-chunks N     stop after N chunks (exit 3), as if interrupted; rerun to go on
  --json             print the summary as JSON
  -h, --help         this text

Rerunning after a crash or Ctrl-C resumes: <file>.tracemark-import.json records the chunks done
(skipped next time); the chunk in flight is sent again, and nothing is written twice (a product
or lot the service holds is counted "already there", an event with a known event hash ID is a
duplicate). Each request carries an Idempotency-Key derived from the file's SHA-256 and the
chunk's index. The resume file is removed once the whole file has been handled.

Exit status: 0 every row or event imported (created or already there), 1 some were rejected (listed
with their line or event index and the reason), 2 usage error (bad flags, unreadable or malformed
file, key refused), 3 stopped before the end (--max-chunks, Ctrl-C): rerun to resume, 4 the API
could not be reached.`;

export const IMPORT_EXIT = { imported: 0, rejected: 1, usage: 2, stopped: 3, unreachable: 4 } as const;

export interface ImportIo {
  out(line: string): void;
  err(line: string): void;
  /** Where progress goes: a terminal gets a bar. */
  progress: NodeJS.WriteStream;
}

const processIo: ImportIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  progress: process.stderr,
};

interface Command {
  file: string;
  api: string;
  key: string;
  kind: ImportKind | null;
  chunkSize: number | null;
  maxChunks: number | null;
  json: boolean;
}

const positiveInteger = (flag: string, text: string | undefined): number | null => {
  if (text === undefined) return null;
  if (!/^[1-9][0-9]*$/.test(text)) throw new UsageError(`${flag} must be a positive integer`);
  return Number(text);
};

function parseCommand(argv: string[], env: NodeJS.ProcessEnv): Command | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        api: { type: "string" },
        key: { type: "string" },
        kind: { type: "string" },
        "chunk-size": { type: "string" },
        "max-chunks": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split(". ")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? "missing <file>" : "one file at a time");
  if (values.api === undefined) throw new UsageError("missing --api URL");
  let api: URL;
  try {
    api = new URL(values.api);
  } catch {
    throw new UsageError("--api must be an http(s) URL");
  }
  if (api.protocol !== "http:" && api.protocol !== "https:") throw new UsageError("--api must be an http(s) URL");
  const key = values.key ?? env["TRACEMARK_API_KEY"];
  if (!key) throw new UsageError("missing --key KEY (or TRACEMARK_API_KEY)");
  if (values.kind !== undefined && !["products", "lots", "events"].includes(values.kind)) throw new UsageError("--kind must be products, lots or events");
  return {
    file: positionals[0]!,
    api: values.api,
    key,
    kind: (values.kind as ImportKind | undefined) ?? null,
    chunkSize: positiveInteger("--chunk-size", values["chunk-size"]),
    maxChunks: positiveInteger("--max-chunks", values["max-chunks"]),
    json: values.json,
  };
}

/** The chunk's Idempotency-Key: the same file and chunk give the same key, on any machine, in any run. */
export const chunkKeyOf = (sha256: string, kind: ImportKind, index: number) =>
  `tmi-${createHash("sha256").update(`tracemark-import:${sha256}:${kind}:${index}`).digest("hex").slice(0, 40)}`;

/** Asks the service who the key belongs to before sending anything: a wrong key or URL fails at once. */
async function checkKey(api: ApiClient): Promise<void> {
  const answer = await api.send("GET", "/v1/me");
  if (answer.status === 401) throw new UsageError("the API refused the key (401): give a merchant API key");
  if (answer.status !== 200) throw new UsageError(`GET /v1/me answered ${answer.status}: is --api a Tracemark service?`);
  if ((answer.body as { role?: unknown }).role !== "merchant") throw new UsageError("the key is not a merchant key: imports are made by the merchant who owns the GS1 prefix");
}

export async function main(argv: string[], io: ImportIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let command: Command | "help";
  try {
    command = parseCommand(argv, env);
    if (command === "help") {
      io.out(IMPORT_USAGE);
      return 0;
    }
    return await run(command, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tracemark import: ${error.message} (tracemark import --help for usage)`);
      return IMPORT_EXIT.usage;
    }
    if (error instanceof ApiUnreachable) {
      io.err(`tracemark import: ${error.message}; rerun to resume`);
      return IMPORT_EXIT.unreachable;
    }
    throw error;
  }
}

async function run(command: Command, io: ImportIo): Promise<number> {
  const facts = await scanFile(command.file);
  const kind = command.kind ?? (await kindOf(command.file));
  const chunkSize = command.chunkSize ?? (kind === "events" ? 500 : 100);
  if (kind === "events" && chunkSize > 1000) throw new UsageError("--chunk-size is at most 1000 events (a capture of up to 1,000 events is stored before its answer)");
  const events = kind === "events" ? await readEventsFile(command.file) : null;
  const api = apiClient(command.api, command.key);
  await checkKey(api);

  const identity = { sha256: facts.sha256, kind, chunkSize, api: new URL(command.api).origin };
  const resumed = await loadResume(command.file, identity);
  const state: ResumeState = resumed ?? { format: "tracemark.import-progress.v1", ...identity, chunksDone: 0, tally: emptyTally() };
  if (resumed) io.err(`tracemark import: resuming after chunk ${resumed.chunksDone} (${handled(resumed.tally)} ${unitOf(kind)} done before; ${resumePathOf(command.file)})`);

  const total = events ? events.events.length : Math.max(facts.lines - 1, 0);
  const progress = progressOn(io.progress, unitOf(kind), total, handled(state.tally));
  // Ctrl-C: finish the chunk in flight and save, so the rerun skips it; a second Ctrl-C exits at once.
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on("SIGINT", onSigint);
  let index = 0;
  let ranChunks = 0;
  let complete = true;
  try {
    const chunks: AsyncIterable<{ run: (key: string) => Promise<Tally> }> = events
      ? mapChunks(eventChunks(events, chunkSize), (chunk) => (key: string) => importEvents(api, events, chunk, key))
      : mapChunks(csvChunks(command.file, kind as "products" | "lots", chunkSize), (rows) => (key: string) => importRows(api, kind as "products" | "lots", rows, key));
    for await (const chunk of chunks) {
      if (index < state.chunksDone) {
        index++;
        continue;
      }
      if (interrupted || (command.maxChunks !== null && ranChunks === command.maxChunks)) {
        complete = false;
        break;
      }
      addTally(state.tally, await chunk.run(chunkKeyOf(facts.sha256, kind, index)));
      index++;
      ranChunks++;
      state.chunksDone = index;
      await saveResume(command.file, state);
      progress.update(handled(state.tally), `${state.tally.created} created, ${state.tally.already} already there, ${state.tally.rejected.length} rejected`);
    }
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
  if (complete) await removeResume(command.file);
  printSummary(io, command, kind, state.tally, complete);
  if (!complete) return IMPORT_EXIT.stopped;
  return state.tally.rejected.length > 0 ? IMPORT_EXIT.rejected : IMPORT_EXIT.imported;
}

async function* mapChunks<T, R>(source: AsyncIterable<T> | Iterable<T>, map: (chunk: T) => R): AsyncGenerator<{ run: R }> {
  for await (const chunk of source) yield { run: map(chunk) };
}

const unitOf = (kind: ImportKind) => (kind === "events" ? "events" : "rows");

function printSummary(io: ImportIo, command: Command, kind: ImportKind, tally: Tally, complete: boolean): void {
  const order = (where: string) => Number(where.replace(/\D+/g, ""));
  const rejected = [...tally.rejected].sort((a, b) => order(a.where) - order(b.where));
  if (command.json) {
    io.out(JSON.stringify({ file: command.file, kind, complete, created: tally.created, alreadyThere: tally.already, rejected }));
    return;
  }
  io.out(`${complete ? "imported" : "stopped early (rerun to resume)"}: ${command.file} (${kind})`);
  io.out(`  created        ${tally.created}`);
  io.out(`  already there  ${tally.already}`);
  io.out(`  rejected       ${rejected.length}`);
  for (const r of rejected) io.out(`  ✗ ${r.where}  ${r.id}  ${r.code}: ${r.reason}`);
}
