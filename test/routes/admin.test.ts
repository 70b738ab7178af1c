import t from "tap";
import { revokeApiKey } from "../../src/auth/api-keys.ts";
import { bearer, buildTestApp } from "../support/app.ts";

t.test("revoking admin keys", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const revoke = (keyId: string, by: { token: string }) => h.app.inject({ method: "DELETE", url: `/v1/admin/keys/${keyId}`, headers: bearer(by) });
  const newAdmin = async () => (await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "admin" } })).json() as { keyId: string; token: string };

  t.test("the last active admin key cannot be revoked: 409 naming params.keyId", async (t) => {
    const res = await revoke(h.admin.keyId, h.admin);
    t.equal(res.statusCode, 409);
    t.equal(res.json().error.code, "CONFLICT");
    t.equal(res.json().error.field, "params.keyId");
    t.equal((await h.app.inject({ method: "GET", url: "/v1/me", headers: bearer(h.admin) })).statusCode, 200, "the key still works");
  });

  t.test("an admin key can be revoked while another one is active", async (t) => {
    const second = await newAdmin();
    t.equal((await revoke(second.keyId, h.admin)).statusCode, 204);
    t.equal((await revoke(second.keyId, h.admin)).statusCode, 404, "a revoked key is not active any more");
  });

  t.test("of two concurrent revocations of the last two admin keys, exactly one succeeds", async (t) => {
    // Straight to the service: over HTTP each call also needs a key, and the one being revoked
    // concurrently would make the other request a 401 rather than a race.
    let survivor = h.admin.keyId;
    for (let round = 0; round < 5; round++) {
      const other = await newAdmin();
      const outcomes = await Promise.all([revokeApiKey(h.database.db, survivor), revokeApiKey(h.database.db, other.keyId)]);
      t.same([...outcomes].sort(), ["last-admin", "revoked"], `round ${round}: one revoked, one refused`);
      const active = await h.database.db.selectFrom("api_keys").select("id").where("role", "=", "admin").where("revoked_at", "is", null).execute();
      t.equal(active.length, 1, "one admin key is left");
      survivor = active[0]!.id;
      if (survivor === other.keyId) Object.assign(h.admin, other);
    }
  });
});
