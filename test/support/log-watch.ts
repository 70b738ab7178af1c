// Follows a child's pino JSON log as it is written, so a test can act at the moment a line
// appears ("batch sealed", "anchor transaction stored; broadcasting").
import type { Readable } from "node:stream";

export interface LogLine {
  /** When this process read the line (Date.now()). */
  at: number;
  msg: string;
  [field: string]: unknown;
}

export interface LogWatch {
  readonly lines: readonly LogLine[];
  /** The first line matching `match` read after this call, or null after `timeoutMs`. */
  next(match: (line: LogLine) => boolean, timeoutMs: number): Promise<LogLine | null>;
  /** Stops following the stream. */
  close(): void;
}

/** Parses one pino line; null for anything that is not a JSON object with a msg. */
export function parseLogLine(text: string, at = Date.now()): LogLine | null {
  if (!text.startsWith("{")) return null;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return typeof value["msg"] === "string" ? { ...value, at, msg: value["msg"] } : null;
  } catch {
    return null;
  }
}

/** Every pino line of a finished process's output. */
export function logLinesOf(output: string): LogLine[] {
  return output.split("\n").map((l) => parseLogLine(l, 0)).filter((l): l is LogLine => l !== null);
}

export function watchLog(stream: Readable): LogWatch {
  const lines: LogLine[] = [];
  const waiters = new Set<(line: LogLine) => void>();
  let partial = "";
  const onData = (chunk: Buffer) => {
    const at = Date.now();
    const parts = (partial + chunk.toString("utf8")).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      const line = parseLogLine(part, at);
      if (!line) continue;
      lines.push(line);
      for (const waiter of [...waiters]) waiter(line);
    }
  };
  stream.on("data", onData);
  return {
    lines,
    next(match, timeoutMs) {
      return new Promise((resolve) => {
        const done = (line: LogLine | null) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        const waiter = (line: LogLine) => {
          if (match(line)) done(line);
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      stream.off("data", onData);
      waiters.clear();
    },
  };
}
