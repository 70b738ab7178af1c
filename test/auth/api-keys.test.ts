import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

t.test("API keys and roles", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const inject = h.app.inject.bind(h.app);

  t.test("a request without a key is 401 with a code", async (t) => {
    const res = await inject({ method: "GET", url: "/v1/me" });
    t.equal(res.statusCode, 401);
    t.equal(res.json().error.code, "UNAUTHENTICATED");
    t.equal(res.json().error.field, "headers.authorization");
  });

  t.test("an unknown or malformed key is 401", async (t) => {
    const tokens: Array<[string, string]> = [
      ["an unknown key", "tmk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
      ["not a key at all", "nonsense"],
      ["a real key with a character added", `${h.admin.token}x`],
    ];
    for (const [what, token] of tokens) {
      const res = await inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${token}` } });
      t.equal(res.statusCode, 401, what);
    }
  });

  t.test("a key is accepted as a bearer token or as X-API-Key", async (t) => {
    const a = await inject({ method: "GET", url: "/v1/me", headers: bearer(h.admin) });
    t.same(a.json(), { keyId: h.admin.keyId, role: "admin", merchantId: null });
    const b = await inject({ method: "GET", url: "/v1/me", headers: { "x-api-key": h.admin.token } });
    t.equal(b.statusCode, 200);
  });

  t.test("the database keeps only a hash of the secret", async (t) => {
    const row = await h.database.db.selectFrom("api_keys").selectAll().where("id", "=", h.admin.keyId).executeTakeFirstOrThrow();
    // The secret is everything after `tmk_<id>_` (it may itself hold "_"); a boolean assertion,
    // so that a failure does not print it.
    const secret = h.admin.token.slice("tmk_".length + 12 + 1);
    t.notOk(JSON.stringify(row).includes(secret), "the row does not hold the secret");
    t.match(row.secret_hash, /^[0-9a-f]{64}$/);
  });

  t.test("an admin creates a merchant and a merchant key bound to it", async (t) => {
    const m = await inject({ method: "POST", url: "/v1/admin/merchants", headers: bearer(h.admin), payload: { name: "Shop One" } });
    t.equal(m.statusCode, 201);
    const k = await inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "merchant", merchantId: m.json().id } });
    t.equal(k.statusCode, 201);
    // A boolean, so that a failure does not print the key into the test log.
    t.ok(/^tmk_[0-9a-f]{12}_/.test(k.json().token), "the response carries a tmk_ token");
    const me = await inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${k.json().token}` } });
    t.same(me.json(), { keyId: k.json().keyId, role: "merchant", merchantId: m.json().id });
  });

  t.test("a merchant key without a merchant, or for an unknown one, is refused naming the field", async (t) => {
    const a = await inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "merchant" } });
    t.equal(a.statusCode, 400);
    t.equal(a.json().error.field, "body.merchantId");
    const b = await inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "merchant", merchantId: "7d1f1c53-3e43-4a55-9d5c-1c1d6c0b9a11" } });
    t.equal(b.statusCode, 404);
    t.equal(b.json().error.field, "body.merchantId");
  });

  t.test("a merchant or mediator key is 403 on admin calls", async (t) => {
    const merchant = await merchantKey(h.database);
    const mediator = await inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "mediator", label: "court" } });
    for (const token of [merchant.token, mediator.json().token as string]) {
      const res = await inject({ method: "POST", url: "/v1/admin/merchants", headers: { authorization: `Bearer ${token}` }, payload: { name: "x" } });
      t.equal(res.statusCode, 403);
      t.equal(res.json().error.code, "FORBIDDEN");
    }
  });

  t.test("a revoked key is 401 from then on", async (t) => {
    const k = await inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "mediator" } });
    const del = await inject({ method: "DELETE", url: `/v1/admin/keys/${k.json().keyId}`, headers: bearer(h.admin) });
    t.equal(del.statusCode, 204);
    const res = await inject({ method: "GET", url: "/v1/me", headers: { authorization: `Bearer ${k.json().token}` } });
    t.equal(res.statusCode, 401);
    const again = await inject({ method: "DELETE", url: `/v1/admin/keys/${k.json().keyId}`, headers: bearer(h.admin) });
    t.equal(again.statusCode, 404);
  });
});
