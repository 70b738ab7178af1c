// What an import file holds, read in chunks: CSV rows (products or lots) streamed through
// csv-parse, or the events of one EPCIS 2.0 document split into documents of N events.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse";
import { UsageError } from "../cli/usage-error.ts";

export type ImportKind = "products" | "lots" | "events";

/** The CSV columns per kind, in the order the README documents; only the first ones are required. */
export const CSV_COLUMNS = {
  products: { all: ["gtin", "name", "brand", "category", "origin", "description"], required: ["gtin", "name"] },
  lots: { all: ["gtin", "lot", "productionDate", "expiryDate", "origin"], required: ["gtin", "lot"] },
} as const;

export interface CsvRow {
  /** The line the row ends on, counting the header as line 1 (what an editor shows). */
  line: number;
  fields: Record<string, string>;
  /** Set when the row cannot be sent at all (wrong number of columns). */
  problem?: string;
}

export interface IndexedEvent {
  /** Position in the document's eventList, from 0. */
  index: number;
  event: unknown;
}

export interface FileFacts {
  sha256: string;
  bytes: number;
  /** Newlines in the file: an upper bound on CSV rows (a quoted field may span lines), for the ETA. */
  lines: number;
}

/** One pass over the bytes: their SHA-256 (the import's identity, hence its idempotency keys) and line count. */
export async function scanFile(path: string): Promise<FileFacts> {
  const hash = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    }
  } catch (error) {
    throw new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return { sha256: hash.digest("hex"), bytes, lines };
}

/** The kind of a file: `.jsonld`/`.json` holds events; a CSV says by its header (a `lot` column: lots). */
export async function kindOf(path: string): Promise<ImportKind> {
  if (/\.json(ld)?$/i.test(path)) return "events";
  const header = await firstLine(path);
  const columns = header.replace(/^\uFEFF/, "").split(",").map((c) => c.trim().replace(/^"|"$/g, ""));
  if (columns.includes("lot")) return "lots";
  if (columns.includes("name")) return "products";
  throw new UsageError(`${path}: cannot tell products from lots by the header (${header.slice(0, 80)}); pass --kind`);
}

async function firstLine(path: string): Promise<string> {
  let text = "";
  for await (const chunk of createReadStream(path, { encoding: "utf8", highWaterMark: 4096 }) as AsyncIterable<string>) {
    text += chunk;
    const end = text.indexOf("\n");
    if (end !== -1) return text.slice(0, end).replace(/\r$/, "");
  }
  return text;
}

/** The rows of a products or lots CSV, `size` at a time, streamed (RFC 4180; a UTF-8 BOM is skipped). */
export async function* csvChunks(path: string, kind: "products" | "lots", size: number): AsyncGenerator<CsvRow[]> {
  const expected = CSV_COLUMNS[kind];
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        const missing = expected.required.filter((c) => !names.includes(c));
        if (missing.length > 0) throw new UsageError(`${path}: the header lacks ${missing.join(", ")} (columns: ${expected.all.join(",")})`);
        const unknown = names.filter((n) => !(expected.all as readonly string[]).includes(n));
        if (unknown.length > 0) throw new UsageError(`${path}: unknown column ${unknown.join(", ")} (columns: ${expected.all.join(",")})`);
        return names;
      },
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }),
  );
  let chunk: CsvRow[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number; columns: unknown[]; error?: { record?: string[] } } }>) {
      const row: CsvRow = { line: info.lines, fields: record };
      if (info.error) row.problem = `has ${info.error.record?.length ?? "a different number of"} fields where the header has ${info.columns.length}`;
      chunk.push(row);
      if (chunk.length === size) {
        yield chunk;
        chunk = [];
      }
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const lines = (error as { lines?: number }).lines;
    throw new UsageError(`${path}${lines ? `, line ${lines}` : ""}: not CSV: ${(error as Error).message}`);
  }
  if (chunk.length > 0) yield chunk;
}

/** An EPCIS document whose eventList is to be captured a chunk at a time. */
export interface EventsFile {
  /** The document without its events: @context, header, schemaVersion... each chunk repeats them. */
  frame: Record<string, unknown>;
  events: unknown[];
}

/**
 * The document, parsed whole: JSON has no record boundaries to stream on, and a capture document
 * is at most tens of megabytes. Its events are then sent `size` at a time.
 */
export async function readEventsFile(path: string): Promise<EventsFile> {
  let document: unknown;
  try {
    document = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${path} is not JSON: ${(error as Error).message}`);
  }
  const body = (document as { epcisBody?: { eventList?: unknown } } | null)?.epcisBody;
  if (typeof document !== "object" || document === null || (document as { type?: unknown }).type !== "EPCISDocument" || !Array.isArray(body?.eventList)) {
    throw new UsageError(`${path} is not an EPCIS 2.0 EPCISDocument with an epcisBody.eventList`);
  }
  const { epcisBody, ...frame } = document as Record<string, unknown> & { epcisBody: { eventList: unknown[] } };
  return { frame, events: epcisBody.eventList };
}

export function* eventChunks(file: EventsFile, size: number): Generator<IndexedEvent[]> {
  for (let start = 0; start < file.events.length; start += size) {
    yield file.events.slice(start, start + size).map((event, i) => ({ index: start + i, event }));
  }
}
