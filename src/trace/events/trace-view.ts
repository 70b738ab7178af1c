// The history a scanner gets for a product, lot or item (issue 8, GET /v1/trace): catalogue data,
// the merchant, recall status, every record of the item's, its lot's and its product's chains, the
// events of each container while the item was inside, each record with its public receipt, and
// each chain's head. Public records show envelope, salt and payload to anyone (DESIGN.md
// "Visibility"), so the page can verify each entry in the shopper's browser.
//
// Cached per subject, as the serialised answer, and never served without a check that it is
// current: "a new event invalidates it at once", on every replica. What "at once" means here: once
// a write has committed (its writer was answered), every history request that arrives after that,
// on any replica, shows it; so does a change of seal or anchor status of any entry it shows. Each
// request is answered only after a fingerprint check (history-queries.ts fingerprintOf: one
// prepared statement, index probes only) that was sent to the database after the request arrived;
// the requests that arrive while a check is being prepared share it, and those that arrive while
// one is in flight share the next one, so a crowd of scanners costs about one check per database
// round trip, not one per request. A cache with a time-based recheck (the previous design, 25 ms)
// or one invalidated by PostgreSQL LISTEN/NOTIFY would answer from memory, but both can serve a
// request that arrives after a commit the old answer: NOTIFY is delivered after the commit, later
// still to a replica whose listening connection lags or is being re-established, and nothing tells
// the replica what it missed. The check costs a round trip and bounds staleness to none.
//
// The answer is built in one REPEATABLE READ snapshot that also takes its fingerprint, so a cached
// answer is never newer or older than the fingerprint it is checked against; concurrent requests
// that find it stale share one rebuild.
import { createHash } from "node:crypto";
import type { Db } from "../../db/database.ts";
import { AppError } from "../../errors.ts";
import { sealingOf } from "../../records/proofs.ts";
import { receiptOf, statusOf } from "../../records/receipts.ts";
import type { RecordWithBatch } from "../../records/repository.ts";
import type { TraceViewT } from "../../schemas/epcis.ts";
import { itemSubject, lotSubject, productSubject } from "../subjects.ts";
import { catalogueRow, chainsOf, containersOf, fingerprintOf, hasRecords, latestDispositions, timelineRows, type HistoryDependencies, type TimelineRow } from "./history-queries.ts";
import { recallDetails } from "./recalls.ts";
import { tradeItemOf, type NamedTradeItem } from "./uri.ts";

export interface TraceAnswer {
  /** The answer's JSON text as UTF-8, as it is sent: encoded once per version, not once per request. */
  bytes: Buffer;
  /** A strong ETag (RFC 9110 §8.8.3) of that text. */
  etag: string;
}

interface Cached extends TraceAnswer {
  deps: HistoryDependencies;
  fingerprint: string;
  at: number;
}

/** A database read that requests may share: only those that arrived before it was sent (`ticket` below its own). */
interface Shared<T> {
  ticket: number;
  result: Promise<T>;
}

/** Cached answers kept; the least recently built go first. */
const CACHE_ENTRIES = 10_000;
/** What the fingerprint does not cover (the merchant's name, a payload changed in place) is at most this old, by default (TRACE_CACHE_MAX_AGE_MS). */
const CACHE_TTL_MS = 60_000;

export class TraceHistory {
  readonly #db: Db;
  readonly #base: string;
  readonly #cache = new Map<string, Cached>();
  /** Per answer: the check in flight (shared by nobody new), and the next one, which requests join until it is sent. */
  readonly #checks = new Map<string, { inFlight: boolean; next: Shared<string> | null; start: (() => void) | null }>();
  readonly #builds = new Map<string, Shared<Cached>>();
  /** URIs already parsed (a hot code is the same string at every scan); only valid ones are kept. */
  readonly #named = new Map<string, { named: NamedTradeItem; key: string }>();
  /** Orders arrivals and database reads: a read may serve a request only if it was sent after the request arrived. */
  #tickets = 0;

  readonly #maxAgeMs: number;

  constructor(db: Db, base: string, maxAgeMs = CACHE_TTL_MS) {
    this.#db = db;
    this.#base = base;
    this.#maxAgeMs = maxAgeMs;
  }

  async answer(uri: string): Promise<TraceAnswer> {
    const { named, key } = this.#parse(uri);
    const arrived = ++this.#tickets;
    const cached = this.#cache.get(key);
    if (cached && Date.now() - cached.at < this.#maxAgeMs && (await this.#fingerprint(key, cached.deps)) === cached.fingerprint) return cached;
    return this.#build(key, uri, named, arrived);
  }

  /** A fingerprint read sent after this call: joined while it waits to be sent, else queued behind the one in flight. */
  #fingerprint(key: string, deps: HistoryDependencies): Promise<string> {
    let slot = this.#checks.get(key);
    if (!slot) {
      slot = { inFlight: false, next: null, start: null };
      this.#checks.set(key, slot);
    }
    if (slot.next) return slot.next.result;
    const current = slot;
    let start!: () => void;
    const sent = new Promise<void>((resolve) => (start = resolve));
    const next: Shared<string> = {
      ticket: Number.POSITIVE_INFINITY,
      result: sent.then(() => {
        current.next = null;
        current.start = null;
        current.inFlight = true;
        return fingerprintOf(this.#db, deps).finally(() => {
          current.inFlight = false;
          if (current.start) current.start();
          else if (!current.next && this.#checks.get(key) === current) this.#checks.delete(key);
        });
      }),
    };
    slot.next = next;
    // Sent on the next turn of the event loop, so that the requests that arrive in this one share
    // it; or, when a check is in flight, as soon as that one is done.
    if (slot.inFlight) slot.start = start;
    else setImmediate(start);
    return next.result;
  }

  /** Builds (or joins a build that started after `arrived`) the answer in one snapshot, and caches it. */
  #build(key: string, uri: string, named: NamedTradeItem, arrived: number): Promise<Cached> {
    const running = this.#builds.get(key);
    if (running && running.ticket > arrived) return running.result;
    const build: Shared<Cached> = {
      ticket: ++this.#tickets,
      result: this.#db
        .transaction()
        .setIsolationLevel("repeatable read")
        .execute(async (tx) => {
          const { view, deps } = await buildView(tx, this.#base, uri, named);
          return { view, deps, fingerprint: await fingerprintOf(tx, deps) };
        })
        .then(({ view, deps, fingerprint }) => {
          const body = JSON.stringify(view);
          const entry: Cached = { bytes: Buffer.from(body), etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`, deps, fingerprint, at: Date.now() };
          this.#cache.delete(key);
          if (this.#cache.size >= CACHE_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
          this.#cache.set(key, entry);
          return entry;
        })
        .finally(() => {
          if (this.#builds.get(key) === build) this.#builds.delete(key);
        }),
    };
    this.#builds.set(key, build);
    return build.result;
  }

  #parse(uri: string): { named: NamedTradeItem; key: string } {
    let parsed = this.#named.get(uri);
    if (parsed === undefined) {
      const named = tradeItemOf(uri, "query.uri");
      parsed = { named, key: this.#subjectOf(named) };
      if (this.#named.size >= CACHE_ENTRIES) this.#named.delete(this.#named.keys().next().value!);
      this.#named.set(uri, parsed);
    }
    return parsed;
  }

  #subjectOf(named: NamedTradeItem): string {
    if (named.level === "item") return itemSubject(this.#base, named.gtin, named.serial!);
    if (named.level === "lot") return lotSubject(this.#base, named.gtin, named.lot!);
    return productSubject(this.#base, named.gtin);
  }
}

type Tx = Parameters<typeof catalogueRow>[0];

async function buildView(tx: Tx, base: string, uri: string, named: NamedTradeItem): Promise<{ view: TraceViewT; deps: HistoryDependencies }> {
  const row = await catalogueRow(tx, named.gtin, named.lot, named.serial);
  const productSubj = row.product_subject ?? productSubject(base, named.gtin);
  const lotSubj = row.lot_subject ?? (named.lot !== null && named.level !== "item" ? lotSubject(base, named.gtin, named.lot) : null);
  const itemSubj = named.level === "item" ? (row.item_subject ?? itemSubject(base, named.gtin, named.serial!)) : null;
  const subject = itemSubj ?? lotSubj ?? productSubj;

  const own: Array<{ subject: string; via: "item" | "lot" | "product" }> = [];
  if (itemSubj) own.push({ subject: itemSubj, via: "item" });
  if (lotSubj) own.push({ subject: lotSubj, via: "lot" });
  own.push({ subject: productSubj, via: "product" });
  // Known when it is registered or has records of its own (events about an EPC nobody registered).
  // Asked before the timeline: a made-up serial under a real product (a guess, a cloned code's
  // neighbours) is a 404 after two index probes, not after reading the product's whole history.
  const registered = named.level === "item" ? row.serial !== null : named.level === "lot" ? row.lot !== null : row.name !== null;
  if (!registered && !(await hasRecords(tx, subject))) throw new AppError("NOT_FOUND", `query.uri: no ${named.level} has this URI`, { field: "query.uri" });

  const containers = itemSubj ? await containersOf(tx, itemSubj) : [];
  const rows = dedupe(await timelineRows(tx, own, containers));

  const chainSubjects = [...new Set([...own.map((o) => o.subject), ...containers.map((c) => c.subject)])];
  const [chains, dispositions] = await Promise.all([chainsOf(tx, chainSubjects), latestDispositions(tx, own.map((o) => o.subject))]);
  const levelOf = new Map(own.map((o) => [o.subject, o.via]));
  const recalls = dispositions
    .filter((d) => d.disposition === "recalled")
    .map((d) => ({ subject: d.subject, level: levelOf.get(d.subject)!, eventID: d.hash_id, eventTime: new Date(d.event_time).toISOString(), ...recallDetails(d.payload) }));

  const pending = new Set(chains.flatMap((c) => c.pending_batches));
  const deps: HistoryDependencies = { subjects: [...chainSubjects].sort(), pendingBatches: [...pending].sort((a, b) => a - b), unsealed: chains.some((c) => c.unsealed) };
  const view: TraceViewT = {
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
  return { view, deps };
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
