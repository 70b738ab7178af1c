import { createHash } from "node:crypto";
import t, { type Test } from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

t.test("client mistakes are 4xx naming the field", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const merchant = await merchantKey(h.database);
  const asAdmin = bearer(h.admin);
  const asMerchant = bearer(merchant);
  const json = { "content-type": "application/json" };

  const expectField = (t: Test, res: { statusCode: number; json(): { error: { field?: string; code: string; requestId?: string } } }, status: number, field: string) => {
    t.equal(res.statusCode, status, `status ${status}`);
    t.equal(res.json().error.field, field, `names ${field}`);
    t.ok(res.json().error.requestId, "carries the request id");
  };

  t.test("a NUL in a stored string is a 400 naming it, not a PostgreSQL error", async (t) => {
    const cases: Array<[string, string, string, Record<string, string>]> = [
      ["/v1/admin/merchants", JSON.stringify({ name: "Acme\u0000Live" }), "body.name", asAdmin],
      ["/v1/admin/keys", JSON.stringify({ role: "mediator", label: "desk\u0000" }), "body.label", asAdmin],
      ["/v1/records", JSON.stringify({ kind: "evidence.chat", subject: "stream:\u00001", payload: {} }), "body.subject", asMerchant],
      ["/v1/records/batch", JSON.stringify({ records: [{ kind: "k", subject: "s", payload: {} }, { kind: "k", subject: "s", contentHash: "a".repeat(64), mediaType: "image/png;x=\u0000" }] }), "body.records[1].mediaType", asMerchant],
    ];
    for (const [url, payload, field, headers] of cases) {
      expectField(t, await h.app.inject({ method: "POST", url, headers: { ...headers, ...json }, payload }), 400, field);
    }
  });

  t.test("a lone surrogate in a stored string is a 400 naming it (it has no UTF-8 form)", async (t) => {
    const payload = '{"kind":"evidence.chat","subject":"stream:\\ud800","payload":{}}';
    expectField(t, await h.app.inject({ method: "POST", url: "/v1/records", headers: { ...asMerchant, ...json }, payload }), 400, "body.subject");
  });

  t.test("a NUL in a header, a path parameter or the query is a 400 naming it", async (t) => {
    const headers = { ...asMerchant, "idempotency-key": "key\u0000" };
    expectField(t, await h.app.inject({ method: "POST", url: "/v1/records", headers, payload: { kind: "k", subject: "s", payload: {} } }), 400, "headers.idempotency-key");
    expectField(t, await h.app.inject({ method: "GET", url: "/v1/records/%00", headers: asMerchant }), 400, "params.id");
    expectField(t, await h.app.inject({ method: "GET", url: "/v1/me?x=%00", headers: asMerchant }), 400, "query.x");
  });

  t.test("a NUL inside a JSON payload is data: it is hashed, not stored", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: asMerchant, payload: { kind: "evidence.chat", subject: "stream:1", payload: { said: "a\u0000b" } } });
    t.equal(res.statusCode, 202);
    const canonical = '{"said":"a\\u0000b"}';
    t.equal(res.json().receipt.record.envelope.contentHash, createHash("sha256").update(canonical).digest("hex"));
  });

  t.test("a payload with __proto__ and constructor members is accepted and hashed exactly as sent", async (t) => {
    // RFC 8785 §3.2.3: members sorted by UTF-16 code units, so "__proto__" (0x5F) before "constructor" (0x63).
    const sent = '{"kind":"evidence.chat","subject":"stream:proto","payload":{"constructor":{"prototype":{"polluted":true}},"__proto__":{"polluted":true}}}';
    const canonical = '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}';
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: { ...asMerchant, ...json }, payload: sent });
    t.equal(res.statusCode, 202, res.body);
    t.equal(res.json().receipt.record.envelope.contentHash, createHash("sha256").update(canonical).digest("hex"), "contentHash covers the __proto__ member");
    t.equal(({} as { polluted?: boolean }).polluted, undefined, "Object.prototype is untouched");
    const batch = await h.app.inject({ method: "POST", url: "/v1/records/batch", headers: { ...asMerchant, ...json }, payload: `{"records":[${sent.replace(/"stream:proto"/, '"stream:proto2"')}]}` });
    t.equal(batch.statusCode, 202, batch.body);
    t.equal(batch.json().records[0].receipt.record.envelope.contentHash, createHash("sha256").update(canonical).digest("hex"));
  });

  t.test("a __proto__ member where the schema allows none is a 400 naming it", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: { ...asAdmin, ...json }, payload: '{"role":"mediator","__proto__":{"role":"admin"}}' });
    expectField(t, res, 400, "body.__proto__");
  });

  t.test("a body in a media type the route does not take is 415 naming headers.content-type", async (t) => {
    const cases: Array<[string, string, Record<string, string>]> = [
      ["/v1/records", "text/plain", asMerchant],
      ["/v1/admin/merchants", "application/x-www-form-urlencoded", asAdmin],
      ["/v1/verify", "multipart/form-data; boundary=x", {}],
      ["/v1/verify/upload", "application/json", {}],
      ["/v1/verify", "application/xml", {}],
    ];
    for (const [url, type, headers] of cases) {
      const res = await h.app.inject({ method: "POST", url, headers: { ...headers, "content-type": type }, payload: "{}" });
      expectField(t, res, 415, "headers.content-type");
      t.equal(res.json().error.code, "UNSUPPORTED_MEDIA_TYPE");
    }
  });

  t.test("a keyed route answers 401 before it looks at the media type", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: { "content-type": "text/plain" }, payload: "x" });
    t.equal(res.statusCode, 401);
  });

  t.test("a URL that does not percent-decode is a 400 naming the url", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/v1/records/%E0%A4%A", headers: asMerchant });
    expectField(t, res, 400, "url");
  });

  t.test("an over-long path parameter is a 414 naming the url", async (t) => {
    const res = await h.app.inject({ method: "GET", url: `/v1/records/${"a".repeat(500)}`, headers: asMerchant });
    expectField(t, res, 414, "url");
    t.equal(res.json().error.code, "URI_TOO_LONG");
  });

  t.test("a JSON body over the public cap is a 413 naming the body", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/verify", headers: json, payload: JSON.stringify({ receipt: "x".repeat(1024 * 1024) }) });
    expectField(t, res, 413, "body");
    t.equal(res.json().error.code, "PAYLOAD_TOO_LARGE");
  });

  t.test("broken JSON is a 400 naming the body", async (t) => {
    expectField(t, await h.app.inject({ method: "POST", url: "/v1/verify", headers: json, payload: '{"receipt":' }), 400, "body");
  });
});
