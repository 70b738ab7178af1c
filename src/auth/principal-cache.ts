// A short-lived memory of which principal a token stands for, so that a busy key costs one
// database lookup per TTL instead of one per request (issue 7: the uncached lookup was a third of
// a single write's cost).
//
// Revocation is effective within the TTL on every replica, with no coordination between them: no
// entry is trusted for longer than the TTL (at most 1 s, src/config.ts), and every lookup after
// that reads the api_keys row again. A revocation made through this process also evicts the key's
// entries at once. Only live principals are remembered: an unknown, malformed or revoked token is
// looked up again every time, so a key issued a moment ago never fails because of an earlier miss.
// Entries are keyed by the SHA-256 of the token, never by the token itself.
import type { Principal } from "./api-keys.ts";

export interface PrincipalCacheOptions {
  ttlMs: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  /** The lookup, shared by the requests that arrive while it runs. */
  principal: Promise<Principal | null>;
  keyId: string;
  expiresAt: number;
}

export class PrincipalCache {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: PrincipalCacheOptions) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The principal of the token whose hash is `tokenHash`: remembered, or from `lookup`. Requests
   * that arrive while a lookup runs wait for that one lookup rather than each starting their own.
   */
  get(tokenHash: string, keyId: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    const now = this.#now();
    const hit = this.#entries.get(tokenHash);
    if (hit && hit.expiresAt > now) return hit.principal;
    if (hit) this.#entries.delete(tokenHash);
    if (this.#ttlMs === 0) return lookup();

    const entry: Entry = { principal: lookup(), keyId, expiresAt: now + this.#ttlMs };
    this.#entries.set(tokenHash, entry);
    // A miss or a failure is not remembered: the next request asks the database again.
    const forget = () => {
      if (this.#entries.get(tokenHash) === entry) this.#entries.delete(tokenHash);
    };
    entry.principal.then((principal) => principal ?? forget(), forget);
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value as string);
    return entry.principal;
  }

  /** Forgets every token of the key: the next request with one of them reads the database. */
  evictKey(keyId: string): void {
    for (const [tokenHash, entry] of this.#entries) if (entry.keyId === keyId) this.#entries.delete(tokenHash);
  }

  get size(): number {
    return this.#entries.size;
  }
}
