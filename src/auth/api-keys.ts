import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Role } from "../db/api-keys.table.ts";
import type { Db } from "../db/database.ts";
import { PrincipalCache, type PrincipalCacheOptions } from "./principal-cache.ts";

// A token is `tmk_<id>_<secret>`: the id finds the row (and is safe to log), the 256-bit secret
// is stored only as its SHA-256. A slow password hash would add nothing: the secret is random,
// there is no dictionary to guess from, and a fast hash keeps every request's check cheap.
const PREFIX = "tmk";
const TOKEN_PATTERN = /^tmk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface Principal {
  keyId: string;
  role: Role;
  merchantId: string | null;
}

export interface IssuedKey extends Principal {
  /** The whole token; shown once, never stored. */
  token: string;
}

const sha256Hex = (s: string) => createHash("sha256").update(s).digest("hex");

export async function issueApiKey(
  db: Db,
  input: { role: Role; merchantId?: string | null; label?: string },
): Promise<IssuedKey> {
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const merchantId = input.merchantId ?? null;
  await db
    .insertInto("api_keys")
    .values({ id, secret_hash: sha256Hex(secret), role: input.role, merchant_id: merchantId, label: input.label ?? "" })
    .execute();
  return { keyId: id, role: input.role, merchantId, token: `${PREFIX}_${id}_${secret}` };
}

// One cache per database handle: the keys it remembers are that database's, and revokeApiKey()
// evicts from the cache of the database it revoked in. A handle without one looks up every time.
const caches = new WeakMap<Db, PrincipalCache>();

/**
 * Remember principals looked up in `db` for `ttlMs` (src/auth/principal-cache.ts says why this
 * bounds revocation on every replica).
 */
export function cachePrincipals(db: Db, options: PrincipalCacheOptions): PrincipalCache {
  const cache = new PrincipalCache(options);
  caches.set(db, cache);
  return cache;
}

/** The principal a token stands for, or null when it is malformed, unknown or revoked. */
export async function principalForToken(db: Db, token: string): Promise<Principal | null> {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const cache = caches.get(db);
  if (!cache) return lookUpPrincipal(db, id, secret);
  return cache.get(sha256Hex(token), id, () => lookUpPrincipal(db, id, secret));
}

async function lookUpPrincipal(db: Db, id: string, secret: string): Promise<Principal | null> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "secret_hash", "role", "merchant_id", "revoked_at"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null) return null;
  const presented = Buffer.from(sha256Hex(secret), "hex");
  if (!timingSafeEqual(presented, Buffer.from(row.secret_hash, "hex"))) return null;
  return { keyId: row.id, role: row.role, merchantId: row.merchant_id };
}

export type RevokeOutcome = "revoked" | "not-found" | "last-admin";

/**
 * Revokes an active key, unless it is the last active admin key: that would leave nobody able to
 * create keys. The key and every active admin key are locked first (SELECT … FOR UPDATE), so two
 * concurrent revocations of the last two admin keys are serialised and the second one sees that
 * only one is left.
 */
export async function revokeApiKey(db: Db, keyId: string): Promise<RevokeOutcome> {
  const outcome = await db.transaction().execute(async (tx): Promise<RevokeOutcome> => {
    const locked = await tx
      .selectFrom("api_keys")
      .select(["id", "role"])
      .where("revoked_at", "is", null)
      .where((eb) => eb.or([eb("id", "=", keyId), eb("role", "=", "admin")]))
      .orderBy("id")
      .forUpdate()
      .execute();
    const target = locked.find((k) => k.id === keyId);
    if (!target) return "not-found";
    if (target.role === "admin" && locked.filter((k) => k.role === "admin").length === 1) return "last-admin";
    await tx.updateTable("api_keys").set({ revoked_at: new Date() }).where("id", "=", keyId).execute();
    return "revoked";
  });
  // This process forgets the key at once; other replicas within KEY_CACHE_MS.
  if (outcome === "revoked") caches.get(db)?.evictKey(keyId);
  return outcome;
}

export async function hasAdminKey(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom("api_keys")
    .select("id")
    .where("role", "=", "admin")
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}
