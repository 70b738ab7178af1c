// What goes into a case's bundle, read from the database at one moment: the case, its live
// evidence and its timeline, each record with its receipt and, when the service kept it, its
// payload. Nothing here reads files or the chain (src/bundle/bundle.ts does, as it streams).
import { caseSummary, evidenceOf, timelineOf, type EvidenceItem, type TimelineEntry } from "../cases/view.ts";
import type { DeadlinePeriods } from "../cases/deadlines.ts";
import type { CaseRow } from "../db/cases.table.ts";
import type { Db } from "../db/database.ts";
import { disclosureDocument, heldDisclosures, sdPayloadOf } from "../evidence/disclosure/disclose.ts";
import type { DisclosureDocument, Envelope, Receipt } from "../merkle/index.ts";
import { receiptOf } from "../records/receipts.ts";
import { findRecords } from "../records/repository.ts";

export interface BundleRecord {
  role: "evidence" | "timeline";
  /** The record's folder in the bag: data/evidence/01-… or data/timeline/01-…. */
  dir: string;
  recordId: string;
  envelope: Envelope;
  /** The envelope's RFC 8785 bytes as stored: their SHA-256 is the recordHash. */
  envelopeText: string;
  acceptedAt: string;
  receipt: Receipt;
  /** The canonical JSON payload the service kept, or null (then the blob source is asked for contentHash). */
  payload: string | null;
  /**
   * For a record committed field by field (orders, payments, after-sales): a disclosure document
   * of every field the service still holds, by field name (erased fields are simply not there and
   * show as hidden). Its payload is the digest list alone, which tells a reader nothing.
   */
  disclosure: DisclosureDocument<Receipt> | null;
  /** For evidence: who added it, when, and why. */
  evidence?: EvidenceItem;
}

export interface CaseMaterial {
  row: CaseRow;
  /** The moment the bundle shows: the newest change to the case. Fixes every date in the bag. */
  asOf: Date;
  summary: ReturnType<typeof caseSummary>;
  evidence: EvidenceItem[];
  timeline: TimelineEntry[];
  records: BundleRecord[];
}

const slug = (kind: string) => kind.replace(/[^A-Za-z0-9.-]+/g, "-").slice(0, 40);
const two = (n: number) => String(n).padStart(2, "0");

export async function collectCase(db: Db, row: CaseRow, periods: DeadlinePeriods): Promise<CaseMaterial> {
  const evidence = (await evidenceOf(db, row.id)).filter((e) => e.withdrawnAt === null);
  const timeline = await timelineOf(db, row.subject);
  const byId = new Map((await findRecords(db, [...evidence.map((e) => e.recordId), ...timeline.map((t) => t.recordId)])).map((r) => [r.id, r]));
  const payloads = new Map(
    (await db.selectFrom("record_payloads").select(["record_id", "payload"]).where("record_id", "in", [...byId.keys(), "00000000-0000-0000-0000-000000000000"]).execute()).map((p) => [p.record_id, p.payload]),
  );
  const held = await heldDisclosures(db, [...byId.keys()]);
  const records: BundleRecord[] = [];
  const add = (role: BundleRecord["role"], index: number, recordId: string, item?: EvidenceItem) => {
    const record = byId.get(recordId);
    if (!record) throw new Error(`record ${recordId} of case ${row.id} vanished`);
    const envelope = JSON.parse(record.envelope) as Envelope;
    const receipt = receiptOf(record);
    const payload = payloads.get(recordId) ?? null;
    const sd = sdPayloadOf(payload ?? undefined);
    // Sorted by field name, so that the same record gives the same bytes.
    const fields = [...(held.get(recordId) ?? new Map<string, string>())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, disclosure]) => disclosure);
    records.push({
      role,
      dir: `data/${role}/${two(index + 1)}-${slug(envelope.kind)}`,
      recordId,
      envelope,
      envelopeText: record.envelope,
      acceptedAt: new Date(record.accepted_at).toISOString(),
      receipt,
      payload,
      disclosure: sd === undefined ? null : disclosureDocument(receipt, sd, fields),
      ...(item ? { evidence: item } : {}),
    });
  };
  evidence.forEach((e, i) => add("evidence", i, e.recordId, e));
  timeline.forEach((t, i) => add("timeline", i, t.recordId));
  const times = [
    ...records.filter((r) => r.role === "timeline").map((r) => Date.parse(r.acceptedAt)),
    ...evidence.map((e) => Date.parse(e.addedAt)),
    new Date(row.opened_at).getTime(),
    row.decided_at ? new Date(row.decided_at).getTime() : 0,
  ];
  const asOf = new Date(Math.max(...times));
  return { row, asOf, summary: caseSummary(row, periods, asOf), evidence, timeline, records };
}

const EXTENSIONS: Record<string, string> = {
  "application/json": "json",
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "image/heic": "heic",
  "video/mp4": "mp4",
  "audio/mpeg": "mp3",
  "text/plain": "txt",
  "text/csv": "csv",
};

/** The name of a record's content file in its folder: payload.json for JSON, content.<ext> for a file. */
export function contentName(envelope: Envelope): string {
  const mediaType = String(envelope.mediaType ?? "").split(";")[0]!.trim().toLowerCase();
  if (mediaType === "application/json") return "payload.json";
  return `content.${EXTENSIONS[mediaType] ?? "bin"}`;
}
