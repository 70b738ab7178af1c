// GET /v1/cases/{id}/bundle: the case's evidence as a BagIt bag (RFC 8493) in a ZIP, streamed
// through yazl entry by entry, never held whole. A BagIt manifest must hash every file before it
// is written, and BagIt does not care about the order of a ZIP's entries, so the payload (data/)
// goes first, each file hashed as it streams past; the report (which states each file's hash and
// verification) and the manifests come after, when every hash is known.
//
// Deterministic (issue 11): every date in the bag, the entries' mtimes included, is the case's
// newest change (collect.ts asOf); entries come in a fixed order; the PDF's dates are that moment.
// The same case at the same moment gives the same bytes.
import { createHash } from "node:crypto";
import { PassThrough, Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import yazl from "yazl";
import type { DeadlinePeriods } from "../cases/deadlines.ts";
import type { ChainHandle } from "../chain/connect.ts";
import { serviceTrust } from "../chain/trust.ts";
import type { CaseRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { finishDisclosure, type DisclosureReport } from "../merkle/disclosure-verify.ts";
import { verifyReceipt } from "../verifier/index.ts";
import { BAGIT_TXT, bagInfoText, manifestText, type ManifestEntry } from "./bagit.ts";
import type { BlobSource } from "./blob-source.ts";
import { collectCase, contentName, type BundleRecord, type CaseMaterial } from "./collect.ts";
import { reportModel, type ReportModel } from "./report-model.ts";
import { reportHtml } from "./report-html.ts";
import { verifyMd } from "./verify-md.ts";

export interface BundleDeps {
  db: Db;
  chain: Pick<ChainHandle, "provider" | "chainId" | "contractAddress" | "deployBlock">;
  blobs: BlobSource;
  periods: DeadlinePeriods;
}

/** One line of data/case.json's index: where a record's files are in the bag. */
export interface IndexItem {
  role: "evidence" | "timeline";
  recordId: string;
  kind: string;
  receipt: string;
  envelope: string;
  /** The payload or original file, or null when the bag does not hold it (the service never had it). */
  content: string | null;
  /** For a record committed field by field: the disclosure document of the fields the service holds (docs/disclosure-v1.md). */
  disclosure?: string;
}

/** SHA-256 and length of what flows through, noted in `into` when it ends. */
class Hashing extends Transform {
  readonly #hash = createHash("sha256");
  #bytes = 0;
  readonly #path: string;
  readonly #into: ManifestEntry[];
  constructor(path: string, into: ManifestEntry[]) {
    super();
    this.#path = path;
    this.#into = into;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    this.#into.push({ path: this.#path, sha256: this.#hash.digest("hex"), bytes: this.#bytes });
    done();
  }
}

const sha256Hex = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/**
 * DOS timestamps are local time; this keeps them the UTC wall time of `at` whatever the server's
 * time zone, so that two replicas give the same bytes (yazl's extended timestamp is left out).
 */
const dosWallClock = (at: Date) => new Date(at.getTime() + at.getTimezoneOffset() * 60_000);

export async function streamBundle(deps: BundleDeps, row: CaseRow): Promise<Readable> {
  const material = await collectCase(deps.db, row, deps.periods);
  const trust = serviceTrust(deps.chain);
  // Which originals the bag holds must be known before the ZIP starts (the index says so): each is
  // opened once to see that it is there and closed at once, then opened again when its entry's turn
  // comes, so that a case of thousands of files never holds thousands of open files.
  const held = new Set<string>();
  for (const record of material.records) {
    if (record.payload !== null) continue;
    const probe = await deps.blobs.open(String(record.envelope.contentHash));
    if (probe) {
      probe.destroy();
      held.add(record.recordId);
    }
  }

  const zip = new yazl.ZipFile();
  const mtime = dosWallClock(material.asOf);
  const entry = (compress: boolean) => ({ mtime, mode: 0o100644, compress, forceDosTimestamp: true });
  const payload: ManifestEntry[] = [];
  const tags: ManifestEntry[] = [];
  const addBuffer = (into: ManifestEntry[], path: string, data: Buffer | string) => {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, "utf8");
    into.push({ path, sha256: sha256Hex(bytes), bytes: bytes.length });
    zip.addBuffer(bytes, path, entry(true));
  };
  const addLazy = (into: ManifestEntry[], path: string, compress: boolean, open: () => Promise<Readable>) => {
    zip.addReadStreamLazy(path, entry(compress), (callback) => {
      open().then(
        (source) => {
          const hashing = new Hashing(path, into);
          pipeline(source, hashing).catch((error: unknown) => hashing.destroy(error as Error));
          callback(null, hashing);
        },
        (error: unknown) => callback(error as Error, undefined as unknown as Readable),
      );
    });
  };

  const index: IndexItem[] = [];
  const contentSha256 = new Map<string, string>();
  addBuffer(payload, "data/trust.json", `${JSON.stringify(trust, null, 2)}\n`);
  addBuffer(payload, "data/VERIFY.md", verifyMd({ caseId: row.id, subject: row.subject }));
  for (const record of material.records) {
    const receiptPath = `${record.dir}/receipt.json`;
    const envelopePath = `${record.dir}/envelope.json`;
    addBuffer(payload, receiptPath, `${JSON.stringify(record.receipt, null, 2)}\n`);
    addBuffer(payload, envelopePath, record.envelopeText);
    let content: string | null = null;
    if (record.payload !== null) {
      content = `${record.dir}/payload.json`;
      addBuffer(payload, content, record.payload);
      contentSha256.set(record.recordId, sha256Hex(Buffer.from(record.payload, "utf8")));
    } else {
      if (held.has(record.recordId)) {
        content = `${record.dir}/${contentName(record.envelope)}`;
        const sha256 = String(record.envelope.contentHash);
        // Files are mostly compressed already (photos, video): stored, not deflated.
        addLazy(payload, content, false, async () => {
          const stream = await deps.blobs.open(sha256);
          if (!stream) throw new Error(`the original ${sha256} left the blob store while its case's bundle was being written`);
          return stream;
        });
      }
    }
    let disclosure: string | undefined;
    if (record.disclosure !== null) {
      disclosure = `${record.dir}/disclosure.json`;
      addBuffer(payload, disclosure, `${JSON.stringify(record.disclosure, null, 2)}\n`);
    }
    index.push({ role: record.role, recordId: record.recordId, kind: record.envelope.kind, receipt: receiptPath, envelope: envelopePath, content, ...(disclosure ? { disclosure } : {}) });
  }
  addBuffer(payload, "data/case.json", `${JSON.stringify({ format: "tracemark.case-bundle.v1", case: material.summary, evidence: material.evidence, timeline: material.timeline, index }, null, 2)}\n`);

  // The verification runs once the originals are hashed (their entries come first): the report
  // states what the bag holds, not what the blob store said it would.
  let model: Promise<ReportModel> | undefined;
  const modelOnce = () =>
    (model ??= (async () => {
      for (const entry of payload) {
        const item = index.find((i) => i.content === entry.path);
        if (item && !contentSha256.has(item.recordId)) contentSha256.set(item.recordId, entry.sha256);
      }
      const reports = await verifyAll(material.records, contentSha256, deps.chain.provider, trust.anchors);
      return reportModel(material, reports, trust, index);
    })());
  addLazy(payload, "data/report.html", true, async () => Readable.from([reportHtml(await modelOnce())]));
  // pdfkit and its fonts (~15 MiB of RSS) load with the first bundle, not with every process.
  addLazy(payload, "data/report.pdf", true, async () => (await import("./report-pdf.ts")).reportPdf(await modelOnce()));

  addLazy(tags, "manifest-sha256.txt", true, async () => Readable.from([manifestText(payload)]));
  addBuffer(tags, "bagit.txt", BAGIT_TXT);
  addLazy(tags, "bag-info.txt", true, async () =>
    Readable.from([
      bagInfoText({
        organization: "Tracemark",
        baggingDate: material.asOf.toISOString().slice(0, 10),
        externalIdentifier: row.subject,
        description: `Evidence bundle of dispute case ${row.id} as of ${material.asOf.toISOString()}`,
        payload,
      }),
    ]),
  );
  // The tag manifest covers the tag files above; it is written last, once they are hashed.
  zip.addReadStreamLazy("tagmanifest-sha256.txt", entry(true), (callback) => callback(null, Readable.from([manifestText(tags)])));
  zip.end();
  // The response gets zip's output; an error in a source ends it early (the client sees a broken ZIP).
  const out = new PassThrough();
  zip.on("error", (error: Error) => out.destroy(error));
  zip.outputStream.pipe(out);
  return out;
}

/** Each record's receipt on chain, against the service's trust; with the disclosure step where the bag holds a disclosure. */
async function verifyAll(records: BundleRecord[], contentSha256: Map<string, string>, provider: BundleDeps["chain"]["provider"], trust: ReturnType<typeof serviceTrust>["anchors"]): Promise<Map<string, DisclosureReport>> {
  const out = new Map<string, DisclosureReport>();
  for (const record of records) {
    const sha = contentSha256.get(record.recordId);
    const report = await verifyReceipt(record.receipt, { provider, trust, ...(sha === undefined ? {} : { contentSha256: sha }) });
    out.set(record.recordId, record.disclosure === null ? report : finishDisclosure(report, record.disclosure));
  }
  return out;
}

export type { CaseMaterial };
