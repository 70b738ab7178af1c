// The API-key cache (src/auth/principal-cache.ts): a revocation is effective at once on the
// instance that made it, and within KEY_CACHE_MS (at most 1 s) on another instance sharing the
// database, which stands for another replica: it has its own pool and its own cache, and hears
// nothing about the revocation.
import { createHash, randomBytes } from "node:crypto";
import t from "tap";
import { buildApp } from "../../src/app.ts";
import { PrincipalCache } from "../../src/auth/principal-cache.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { usingPostgres } from "../support/database.ts";

// Below the 1 s that issue 7 asks for, leaving the poll below time to see the change.
const KEY_CACHE_MS = 700;
const REQUIRED_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test("a revoked key is refused within KEY_CACHE_MS on every instance", { skip: usingPostgres ? false : "needs PostgreSQL: two instances share one database" }, async (t) => {
  const h = await buildTestApp({ KEY_CACHE_MS: String(KEY_CACHE_MS) });
  t.teardown(h.close);
  // The second replica: the same database through a pool of its own, hence a cache of its own.
  const replicaDb = await openDatabase(h.config);
  const replica = await buildApp({ config: h.config, database: replicaDb, chain: h.chain });
  await replica.ready();
  t.teardown(async () => {
    await replica.close();
    await replicaDb.close();
  });
  const me = (app: typeof replica, key: { token: string }) => app.inject({ method: "GET", url: "/v1/me", headers: bearer(key) });

  const key = await merchantKey(h.database);
  t.equal((await me(h.app, key)).statusCode, 200, "the key works on the first instance");
  t.equal((await me(replica, key)).statusCode, 200, "and on the replica, which now remembers it");
  const rememberedAt = performance.now();

  const revoked = await h.app.inject({ method: "DELETE", url: `/v1/admin/keys/${key.keyId}`, headers: bearer(h.admin) });
  t.equal(revoked.statusCode, 204);
  const revokedAt = performance.now();
  t.equal((await me(h.app, key)).statusCode, 401, "the instance that revoked it refuses it at once");

  const first = await me(replica, key);
  if (performance.now() - rememberedAt < KEY_CACHE_MS - 100) t.equal(first.statusCode, 200, "the replica still answers from its cache for a moment (so the cache is really in use)");
  let refusedAfter = Number.POSITIVE_INFINITY;
  while (performance.now() - revokedAt < REQUIRED_MS + 2_000) {
    if ((await me(replica, key)).statusCode === 401) {
      refusedAfter = performance.now() - revokedAt;
      break;
    }
    await sleep(25);
  }
  t.ok(refusedAfter <= REQUIRED_MS, `the replica refuses it ${refusedAfter.toFixed(0)} ms after the revocation (KEY_CACHE_MS = ${KEY_CACHE_MS} ms; required within ${REQUIRED_MS} ms)`);
  t.equal((await me(replica, key)).statusCode, 401, "and from then on");
});

t.test("a key that was unknown a moment ago works as soon as it exists: misses are not remembered", async (t) => {
  const h = await buildTestApp({ KEY_CACHE_MS: String(KEY_CACHE_MS) });
  t.teardown(h.close);
  // A token made before its row exists (as a replica might see a key issued a moment ago elsewhere).
  const id = randomBytes(6).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  const token = `tmk_${id}_${secret}`;
  const me = () => h.app.inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${token}` } });
  t.equal((await me()).statusCode, 401, "unknown: 401");
  await h.database.db
    .insertInto("api_keys")
    .values({ id, secret_hash: createHash("sha256").update(secret).digest("hex"), role: "admin", merchant_id: null, label: "issued late" })
    .execute();
  t.equal((await me()).statusCode, 200, "the very next request with it is accepted");
});

t.test("the cache remembers tokens by their hash, shares one lookup among concurrent requests, and stays bounded", async (t) => {
  const cache = new PrincipalCache({ ttlMs: 1_000, maxEntries: 2 });
  let lookups = 0;
  const principal = { keyId: "k1", role: "admin" as const, merchantId: null };
  const lookup = async () => {
    lookups++;
    await sleep(10);
    return principal;
  };
  const answers = await Promise.all(Array.from({ length: 10 }, () => cache.get("hash-1", "k1", lookup)));
  t.equal(lookups, 1, "ten concurrent requests, one lookup");
  t.same(answers[9], principal);
  await cache.get("hash-2", "k2", lookup);
  await cache.get("hash-3", "k3", lookup);
  t.equal(cache.size, 2, "no more than maxEntries are kept");
  cache.evictKey("k3");
  t.equal(cache.size, 1, "evicting a key forgets its tokens");
  let now = 0;
  const clock = new PrincipalCache({ ttlMs: 500, maxEntries: 10, now: () => now });
  await clock.get("h", "k1", lookup);
  const before = lookups;
  now = 499;
  await clock.get("h", "k1", lookup);
  t.equal(lookups, before, "within the TTL the answer is remembered");
  now = 500;
  await clock.get("h", "k1", lookup);
  t.equal(lookups, before + 1, "at the TTL it is looked up again");
});
