// A lot's labels as one ZIP (APPNOTE.TXT, written by yazl): every item's QR code as SVG, named
// by serial, and items.csv with each item's serial and Digital Link URI (and scratch PIN, when
// the caller takes them). Streamed: a lot holds up to 100,000 items per job, so items are read a
// page at a time and each SVG is drawn only when yazl is ready to write it; the producer stays at
// most one page ahead of the bytes the client has taken.
//
// Measured (2 shared cores, PostgreSQL): 20,000 items in 33–46 s (430–600 items/s; drawing a code
// takes about 1 ms), first byte after ~120 ms, about 60 MB more resident memory (yazl keeps each
// entry's central-directory record until the end, and scans its entry list on every entry).
import { Readable } from "node:stream";
import { ZipFile } from "yazl";
import type { Db } from "../db/database.ts";
import { csvLine, csvLines } from "./csv.ts";
import { renderQr, type QrEcc } from "./render.ts";

/** Items read and queued at a time. */
export const PAGE_SIZE = 500;

export interface LotZipInput {
  gtin: string;
  lot: string;
  ecc: QrEcc;
  /** PINs by items job, at each item's job index; null when the caller did not take them. */
  pins: ReadonlyMap<string, readonly string[]> | null;
}

interface ItemRef {
  serial: string;
  subject: string;
  job_id: string | null;
  job_index: number | null;
}

/** The lot's items in serial order, a page at a time (keyset pagination on the items primary key). */
async function* itemPages(db: Db, gtin: string, lot: string): AsyncGenerator<ItemRef[]> {
  let after: string | null = null;
  for (;;) {
    const page: ItemRef[] = await db
      .selectFrom("items")
      .select(["serial", "subject", "job_id", "job_index"])
      .where("gtin", "=", gtin)
      .where("lot", "=", lot)
      .$if(after !== null, (q) => q.where("serial", ">", after!))
      .orderBy("serial")
      .limit(PAGE_SIZE)
      .execute();
    if (page.length === 0) return;
    yield page;
    after = page.at(-1)!.serial;
  }
}

/** A serial as a file name: GS1 character set 82 includes "/" and others a file system would misread. */
export const svgName = (serial: string): string => `qr/${encodeURIComponent(serial)}.svg`;

export function lotQrZip(db: Db, input: LotZipInput): Readable {
  const zip = new ZipFile();
  const output = zip.outputStream as Readable;
  const mtime = new Date();
  zip.on("error", (error: Error) => output.destroy(error));

  const produce = async () => {
    for await (const page of itemPages(db, input.gtin, input.lot)) {
      if (output.destroyed) return;
      let reached!: () => void;
      const pumped = new Promise<void>((resolve) => (reached = resolve));
      page.forEach((item, i) => {
        zip.addReadStreamLazy(svgName(item.serial), { mtime }, (callback) => {
          if (i === 0) reached();
          renderQr(item.subject, { format: "svg", ecc: input.ecc }).then(
            (svg) => callback(null, Readable.from([svg])),
            (error: unknown) => callback(error, Readable.from([])),
          );
        });
      });
      // yazl writes entries in order: when this page's first one is pumped, the last page is out.
      await pumped;
    }
    zip.addReadStreamLazy("items.csv", { mtime }, (callback) => callback(null, itemsCsv(db, input)));
    zip.end();
  };
  produce().catch((error: unknown) => output.destroy(error as Error));
  return output;
}

/** RFC 4180 CSV: serial,uri[,pin], one row per item, in the ZIP's order, every cell formula-safe (csv.ts). */
function itemsCsv(db: Db, input: LotZipInput): Readable {
  const columns = input.pins ? ["serial", "uri", "pin"] : ["serial", "uri"];
  async function* lines() {
    yield csvLine(columns);
    for await (const page of itemPages(db, input.gtin, input.lot)) {
      yield csvLines(
        page.map((item) => {
          const pin = input.pins && item.job_id !== null && item.job_index !== null ? (input.pins.get(item.job_id)?.[item.job_index] ?? "") : undefined;
          return pin === undefined ? [item.serial, item.subject] : [item.serial, item.subject, pin];
        }),
      );
    }
  }
  return Readable.from(lines());
}
