// `tracemark stream watch|check`: notarizes a live HLS stream segment by segment as it runs, and
// checks a recording against what was notarized. scripts/tracemark.mjs dispatches here.
import { parseArgs } from "node:util";
import { apiClient, ApiUnreachable } from "../import/api.ts";
import { checkStream, describeFinding } from "./check.ts";
import { progressOn } from "./progress.ts";
import { sourceOf } from "./source.ts";
import { UsageError } from "../cli/usage-error.ts";
import { UUID_PATTERN } from "../schemas/common.ts";
import { ApiRefused, watchStream } from "./watch.ts";

export const STREAM_USAGE = `Usage: tracemark stream watch <playlist URL | directory | playlist.m3u8> --stream ID --api URL [--key KEY]
                        [--rendition NAME] [--batch N] [--poll-ms N] [--idle-seconds N] [--max-segments N]
       tracemark stream check <directory | playlist.m3u8> --stream ID --api URL [--key KEY] [--rendition NAME] [--json]

watch follows a live HLS media playlist (RFC 8216) and notarizes each segment as it appears: it
reads the segment as a stream, hashes it (SHA-256), and sends small batches to the service, which
chains them on the stream's subject. When the playlist ends (#EXT-X-ENDLIST) it notarizes the final
playlist, which ends the stream. Progress goes to stderr: segments, bytes and lag (from the segment
appearing in the playlist to the service's 202); a bar on a terminal, a line per batch otherwise.
Rerun after a crash or Ctrl-C: the service is asked which segments it holds, and the watch goes on
after them; nothing is sent twice and nothing is skipped. A segment the playlist lists but that
cannot be read (deleted before it was hashed) is left as a gap, said on stderr, and visible in
the chain.

check compares a recording with what was notarized: each notarized segment's file must be there with
its SHA-256, the media sequence numbers must have no gaps, each segment in the playlist must be
notarized, and an ended stream's final playlist must be this one. Each problem is named.

  --stream ID        the stream (POST /v1/streams answered its id)
  --api URL          the Tracemark service, e.g. http://127.0.0.1:3000
  --key KEY          the merchant's API key (check: also a mediator's); without it, the
                     TRACEMARK_API_KEY environment variable. Never printed
  --rendition NAME   which rendition the playlist is (default "main")
  --batch N          segments per request (default 10, at most 100)
  --poll-ms N        how often the playlist is read again (default 250)
  --idle-seconds N   stop (exit 3) when the playlist has not changed for this long (default 120)
  --max-segments N   stop after sending N segments (exit 3), as if interrupted; rerun to go on
  --json             check: print the report as JSON
  -h, --help         this text

Exit status: 0 watch: the stream ended and every segment was notarized; check: everything matches.
1 watch: the stream ended with gaps (segments that could not be read); check: problems found (listed).
2 usage error (bad flags, not a media playlist, unknown stream, key refused). 3 watch stopped before
the end (Ctrl-C, --max-segments, the playlist stalled): rerun to resume. 4 the API could not be reached.`;

export const STREAM_EXIT = { done: 0, problems: 1, usage: 2, stopped: 3, unreachable: 4 } as const;

export interface StreamIo {
  out(line: string): void;
  err(line: string): void;
  progress: NodeJS.WriteStream;
}

const processIo: StreamIo = {
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  progress: process.stderr,
};

interface Command {
  verb: "watch" | "check";
  location: string;
  streamId: string;
  api: string;
  key: string;
  rendition: string;
  batch: number;
  pollMs: number;
  idleMs: number;
  maxSegments: number | null;
  json: boolean;
}

function integerFlag(flag: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > max) throw new UsageError(`${flag} must be an integer from 1 to ${max}`);
  return Number(text);
}

function parseCommand(argv: string[], env: NodeJS.ProcessEnv): Command | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        stream: { type: "string" },
        api: { type: "string" },
        key: { type: "string" },
        rendition: { type: "string" },
        batch: { type: "string" },
        "poll-ms": { type: "string" },
        "idle-seconds": { type: "string" },
        "max-segments": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split(". ")[0]!);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  const [verb, location, ...rest] = positionals;
  if (verb !== "watch" && verb !== "check") throw new UsageError(verb === undefined ? "missing verb: watch or check" : `unknown verb "${verb}": watch or check`);
  if (location === undefined) throw new UsageError("missing <playlist URL or directory>");
  if (rest.length > 0) throw new UsageError("one playlist at a time");
  if (values.stream === undefined || !new RegExp(UUID_PATTERN).test(values.stream)) throw new UsageError("--stream must be the stream's id (a UUID)");
  if (values.api === undefined || !/^https?:\/\/./i.test(values.api)) throw new UsageError("--api must be the service's http(s) URL");
  try {
    new URL(values.api);
  } catch {
    throw new UsageError("--api must be the service's http(s) URL");
  }
  const key = values.key ?? env["TRACEMARK_API_KEY"];
  if (!key) throw new UsageError("missing --key KEY (or TRACEMARK_API_KEY)");
  const rendition = values.rendition ?? "main";
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(rendition)) throw new UsageError("--rendition: up to 64 letters, digits, '.', '_' or '-'");
  return {
    verb,
    location,
    streamId: values.stream.toLowerCase(),
    api: values.api,
    key,
    rendition,
    batch: integerFlag("--batch", values.batch, 10, 100),
    pollMs: integerFlag("--poll-ms", values["poll-ms"], 250, 60_000),
    idleMs: integerFlag("--idle-seconds", values["idle-seconds"], 120, 86_400) * 1000,
    maxSegments: values["max-segments"] === undefined ? null : integerFlag("--max-segments", values["max-segments"], 1, Number.MAX_SAFE_INTEGER),
    json: values.json,
  };
}

export async function main(argv: string[], io: StreamIo = processIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const command = parseCommand(argv, env);
    if (command === "help") {
      io.out(STREAM_USAGE);
      return STREAM_EXIT.done;
    }
    return command.verb === "watch" ? await watch(command, io) : await check(command, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tracemark stream: ${error.message} (tracemark stream --help for usage)`);
      return STREAM_EXIT.usage;
    }
    if (error instanceof ApiRefused) {
      io.err(`tracemark stream: the service refused: ${error.message}`);
      return STREAM_EXIT.usage;
    }
    if (error instanceof ApiUnreachable) {
      io.err(`tracemark stream: ${error.message}; rerun to resume`);
      return STREAM_EXIT.unreachable;
    }
    throw error;
  }
}

async function watch(command: Command, io: StreamIo): Promise<number> {
  const source = await sourceOf(command.location);
  const api = apiClient(command.api, command.key);
  const progress = progressOn(io.progress);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on("SIGINT", onSigint);
  let end;
  try {
    end = await watchStream(
      api,
      source,
      { streamId: command.streamId, rendition: command.rendition, batch: command.batch, pollMs: command.pollMs, idleMs: command.idleMs, missingPolls: 8, maxSegments: command.maxSegments, interrupted: () => interrupted },
      {
        resumed: (held, last) => held > 0 && io.err(`tracemark stream: the service holds ${held} segments of rendition ${command.rendition} (last ${last}); going on after them`),
        sent: (batch, totals) => progress.update(batch, totals),
        gap: (segment, reason) => progress.note(`segment ${segment.mediaSequence} (${segment.uri}): ${reason}`),
      },
    );
  } finally {
    progress.stop();
    process.off("SIGINT", onSigint);
  }
  const t = end.totals;
  const summary = `${t.segments} segments, ${t.bytes} bytes notarized this run${t.gaps > 0 ? `, ${t.gaps} gaps` : ""}`;
  if (end.status === "ended") {
    io.out(`stream ${command.streamId} ended: ${summary}; final playlist ${end.playlistSha256}`);
    return t.gaps > 0 ? STREAM_EXIT.problems : STREAM_EXIT.done;
  }
  io.out(`stopped before the end (${end.status === "stalled" ? "the playlist stalled" : "interrupted"}): ${summary}; rerun to resume`);
  return STREAM_EXIT.stopped;
}

async function check(command: Command, io: StreamIo): Promise<number> {
  const source = await sourceOf(command.location);
  const report = await checkStream(apiClient(command.api, command.key), source, command.streamId, command.rendition);
  if (command.json) io.out(JSON.stringify(report));
  else {
    io.out(`stream ${report.streamId} (${report.status}), rendition ${report.rendition}: ${report.matching} of ${report.checked} notarized segments match the recording`);
    for (const f of report.findings) io.out(describeFinding(f));
    if (report.findings.length === 0) io.out("✓ no gaps, nothing altered or missing");
  }
  return report.findings.length > 0 ? STREAM_EXIT.problems : STREAM_EXIT.done;
}
