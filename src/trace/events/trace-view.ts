// The history a scanner gets for a product, lot or item (issue 8, GET /v1/trace): catalogue data,
// the merchant, recall status, every record of the item's, its lot's and its product's chains, the
// events of each container while the item was inside, each record with its public receipt, and
// each chain's head. Public records show envelope, salt and payload to anyone (DESIGN.md
// "Visibility"), so the page can verify each entry in the shopper's browser.
//
// Cached per subject, as the serialised answer, and checked against a fingerprint of what it
// depends on (history-queries.ts fingerprintOf: one small query; any new record on any of its
// subjects, or any batch changing state, changes it). The answer is built in one REPEATABLE READ
// snapshot that also takes its fingerprint, so a cached answer is never newer or older than the
// fingerprint it is checked against. A hot item (thousands of scans a second) is checked at most
// every RECHECK_MS; events captured by this process invalidate at once (traceChanged), those of
// other replicas and the pipeline's status changes within RECHECK_MS.
import { createHash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { sealingOf } from "../../records/proofs.ts";
import { receiptOf, statusOf } from "../../records/receipts.ts";
import type { RecordWithBatch } from "../../records/repository.ts";
import type { TraceViewT } from "../../schemas/epcis.ts";
import { itemSubject, lotSubject, productSubject } from "../subjects.ts";
import { catalogueRow, chainsOf, containersOf, fingerprintOf, latestDispositions, timelineRows, type TimelineRow } from "./history-queries.ts";
import { traceGeneration } from "./changes.ts";
import { recallDetails } from "./recalls.ts";
import { tradeItemOf, type NamedTradeItem } from "./uri.ts";

export interface TraceAnswer {
  /** The JSON text of the answer. */
  body: string;
  /** A strong ETag (RFC 9110 §8.8.3) of that text. */
  etag: string;
}

interface Cached extends TraceAnswer {
  subjects: string[];
  fingerprint: string;
  at: number;
  checkedAt: number;
  generation: number;
}

/** How long a fingerprint check stands for a cached answer. */
export const RECHECK_MS = 25;


/** Cached answers kept; the least recently built go first. */
const CACHE_ENTRIES = 10_000;
/** Catalogue fields the fingerprint does not cover (the merchant's name) are at most this old. */
const CACHE_TTL_MS = 60_000;

export class TraceHistory {
  readonly #db: Db;
  readonly #base: string;
  readonly #cache = new Map<string, Cached>();
  readonly #checks = new Map<string, { generation: number; valid: Promise<boolean> }>();

  constructor(db: Db, base: string) {
    this.#db = db;
    this.#base = base;
  }

  async answer(uri: string): Promise<TraceAnswer> {
    const named = tradeItemOf(uri, "query.uri");
    const key = this.#subjectOf(named);
    const cached = this.#cache.get(key);
    const now = Date.now();
    if (cached && now - cached.at < CACHE_TTL_MS) {
      if (cached.generation === traceGeneration() && now - cached.checkedAt < RECHECK_MS) return cached;
      // One fingerprint check at a time per answer: under load every request would otherwise
      // arrive after RECHECK_MS and check on its own. A check started before this process's latest
      // write cannot vouch for it, so only a check of the current generation is joined.
      const seen = traceGeneration();
      let check = this.#checks.get(key);
      if (check?.generation !== seen) {
        const started = {
          generation: seen,
          valid: fingerprintOf(this.#db, cached.subjects)
            .then((fingerprint) => fingerprint === cached.fingerprint)
            .finally(() => {
              if (this.#checks.get(key) === started) this.#checks.delete(key);
            }),
        };
        check = started;
        this.#checks.set(key, started);
      }
      if (await check.valid) {
        cached.checkedAt = Math.max(cached.checkedAt, now);
        cached.generation = Math.max(cached.generation, seen);
        return cached;
      }
    }
    const seen = traceGeneration();
    const built = await this.#db
      .transaction()
      .setIsolationLevel("repeatable read")
      .execute(async (tx) => {
        const view = await buildView(tx, this.#base, uri, named);
        const subjects = view.chains.map((c) => c.subject).sort();
        return { view, subjects, fingerprint: await fingerprintOf(tx, subjects) };
      });
    const body = JSON.stringify(built.view);
    const at = Date.now();
    const entry: Cached = { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`, subjects: built.subjects, fingerprint: built.fingerprint, at, checkedAt: at, generation: seen };
    this.#cache.delete(key);
    if (this.#cache.size >= CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, entry);
    return entry;
  }

  #subjectOf(named: NamedTradeItem): string {
    if (named.level === "item") return itemSubject(this.#base, named.gtin, named.serial!);
    if (named.level === "lot") return lotSubject(this.#base, named.gtin, named.lot!);
    return productSubject(this.#base, named.gtin);
  }
}

type Tx = Parameters<typeof catalogueRow>[0];

async function buildView(tx: Tx, base: string, uri: string, named: NamedTradeItem): Promise<TraceViewT> {
  const row = await catalogueRow(tx, named.gtin, named.lot, named.serial);
  const productSubj = row.product_subject ?? productSubject(base, named.gtin);
  const lotSubj = row.lot_subject ?? (named.lot !== null && named.level !== "item" ? lotSubject(base, named.gtin, named.lot) : null);
  const itemSubj = named.level === "item" ? (row.item_subject ?? itemSubject(base, named.gtin, named.serial!)) : null;
  const subject = itemSubj ?? lotSubj ?? productSubj;

  const own: Array<{ subject: string; via: "item" | "lot" | "product" }> = [];
  if (itemSubj) own.push({ subject: itemSubj, via: "item" });
  if (lotSubj) own.push({ subject: lotSubj, via: "lot" });
  own.push({ subject: productSubj, via: "product" });
  const containers = itemSubj ? await containersOf(tx, itemSubj) : [];
  const rows = dedupe(await timelineRows(tx, own, containers));

  const registered = named.level === "item" ? row.serial !== null : named.level === "lot" ? row.lot !== null : row.name !== null;
  if (!registered && !rows.some((r) => r.subject === subject)) throw new AppError("NOT_FOUND", `query.uri: no ${named.level} has this URI`, { field: "query.uri" });

  const chainSubjects = [...new Set([...own.map((o) => o.subject), ...containers.map((c) => c.subject)])];
  const [chains, dispositions] = await Promise.all([chainsOf(tx, chainSubjects), latestDispositions(tx, own.map((o) => o.subject))]);
  const levelOf = new Map(own.map((o) => [o.subject, o.via]));
  const recalls = dispositions
    .filter((d) => d.disposition === "recalled")
    .map((d) => ({ subject: d.subject, level: levelOf.get(d.subject)!, eventID: d.hash_id, eventTime: new Date(d.event_time).toISOString(), ...recallDetails(d.payload) }));

  return {
    uri,
    level: named.level,
    subject,
    merchant: row.merchant_id !== null ? { id: row.merchant_id, name: row.merchant_name! } : null,
    product: row.name !== null ? { gtin: row.gtin, subject: productSubj, name: row.name, brand: row.brand, category: row.category, origin: row.product_origin, description: row.description } : null,
    lot: row.lot !== null ? { lot: row.lot, subject: row.lot_subject!, productionDate: row.production_date, expiryDate: row.expiry_date, origin: row.lot_origin } : null,
    item: row.serial !== null ? { serial: row.serial, subject: row.item_subject!, pinProtected: row.pin_protected === true } : null,
    recall: { recalled: recalls.length > 0, recalls },
    containers: containers.map((c) => ({ subject: c.subject, from: new Date(c.from).toISOString(), until: c.until === null ? null : new Date(c.until).toISOString() })),
    timeline: await timelineOf(tx, rows),
    chains: chains
      .sort((a, b) => chainSubjects.indexOf(a.subject) - chainSubjects.indexOf(b.subject))
      .map((c) => ({
        subject: c.subject,
        records: c.records,
        head: c.head,
        anchoredThrough: c.anchored_number === null ? null : { record: c.anchored_number, recordHash: c.anchored_hash!, blockNumber: Number(c.block_number), txHash: c.tx_hash! },
      })),
  };
}

/**
 * Each event once: an event that names both the item and its case (the packing ADD) has a record
 * on each; the item's own is shown. A record reached twice (two periods in one case) is shown once.
 */
function dedupe(rows: TimelineRow[]): TimelineRow[] {
  const eventKey = (r: TimelineRow) => (r.hash_id === null ? r.id : `${r.declaration ? "d" : "e"}${r.hash_id}`);
  const own = new Set(rows.filter((r) => r.via !== "container").map(eventKey));
  const seen = new Set<string>();
  return rows.filter((r) => {
    const key = eventKey(r);
    if (seen.has(key) || (r.via === "container" && own.has(key))) return false;
    seen.add(key);
    return true;
  });
}

/** The entries with their batches and inclusion proofs (src/records/proofs.ts: two queries for all of them). */
async function timelineOf(tx: Tx, rows: TimelineRow[]): Promise<TraceViewT["timeline"]> {
  const sealed = await sealingOf(tx, rows);
  return rows.map((row) => {
    const at = sealed.get(row.id) ?? null;
    return entryOf({ ...row, batch: at?.batch ?? null, sealedAt: at });
  });
}

function entryOf(row: TimelineRow & RecordWithBatch): TraceViewT["timeline"][number] {
  return {
    recordId: row.id,
    subject: row.subject,
    via: row.via as TraceViewT["timeline"][number]["via"],
    kind: row.kind,
    time: new Date(row.event_time ?? row.accepted_at).toISOString(),
    eventID: row.hash_id,
    eventType: row.event_type,
    bizStep: row.biz_step,
    disposition: row.disposition,
    errorDeclaration: row.declaration === true,
    declaredErroneous: row.declared_erroneous,
    status: statusOf(row),
    payload: row.payload,
    receipt: receiptOf(row),
  };
}
