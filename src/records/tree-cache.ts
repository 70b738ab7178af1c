// The stored trees of recently read batches, in memory. A sealed batch's tree never changes (its
// anchor may, and lives in `batches`, not here), so a cached copy is never stale; receipts of
// recent batches, the ones most asked for, then cost no TOAST reads at all. Bounded by bytes: a
// full batch of 10,000 leaves is about 640 KiB of nodes, so the default holds ~100 of them.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../db/database.ts";

export const TREE_CACHE_BYTES = 64 * 1024 * 1024;

export class TreeCache {
  readonly #trees = new Map<number, Buffer>();
  #bytes = 0;
  readonly maxBytes: number;
  /** The newest batch a proof was asked of: which batches are recent (src/records/proofs.ts). */
  newestAsked = 0;
  /** Trees being read now: receipts of one batch asked at once share one read, not one each. */
  readonly reading = new Map<number, Promise<Buffer | undefined>>();
  constructor(maxBytes = TREE_CACHE_BYTES) {
    this.maxBytes = maxBytes;
  }

  get(batchSeq: number): Buffer | undefined {
    const nodes = this.#trees.get(batchSeq);
    if (nodes === undefined) return undefined;
    // Most recently used last: Map keeps insertion order, so re-insert.
    this.#trees.delete(batchSeq);
    this.#trees.set(batchSeq, nodes);
    return nodes;
  }

  set(batchSeq: number, nodes: Buffer): void {
    if (nodes.length > this.maxBytes) return;
    const old = this.#trees.get(batchSeq);
    if (old !== undefined) {
      this.#trees.delete(batchSeq);
      this.#bytes -= old.length;
    }
    this.#trees.set(batchSeq, nodes);
    this.#bytes += nodes.length;
    for (const [seq, evicted] of this.#trees) {
      if (this.#bytes <= this.maxBytes) break;
      this.#trees.delete(seq);
      this.#bytes -= evicted.length;
    }
  }
}

// One cache per database handle (a test may open several). Receipts are read outside
// transactions; one read inside a transaction gets a cache that lives as long as it does.
const caches = new WeakMap<Kysely<Database> | Transaction<Database>, TreeCache>();

export function treeCacheOf(db: Kysely<Database> | Transaction<Database>): TreeCache {
  let cache = caches.get(db);
  if (cache === undefined) {
    cache = new TreeCache();
    caches.set(db, cache);
  }
  return cache;
}
