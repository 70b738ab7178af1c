import t from "tap";
import { canonicalJson, sha256Hex } from "../../src/merkle/index.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

t.test("products: a domain row and a public record on its Digital Link, edits chained by the server", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const shopA = await merchantWithPrefix(h, "Shop A", "952012");
  const shopB = await merchantWithPrefix(h, "Shop B", "952099");
  const gtin13 = gtinUnder("952012", 3456);
  const gtin14 = `0${gtin13}`;
  const subject = `${PUBLIC_BASE_URL}/01/${gtin14}`;
  const call = (key: { token: string }, method: "GET" | "POST" | "PATCH", url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const payloadOf = async (recordId: string) =>
    (await h.database.db.selectFrom("record_payloads").select("payload").where("record_id", "=", recordId).executeTakeFirstOrThrow()).payload;

  const image = { sha256: "a".repeat(64), name: "front.jpg", mediaType: "image/jpeg" };
  const created = await call(shopA, "POST", "/v1/products", { gtin: gtin13, name: "Silk scarf", brand: "Huzhou Silk", origin: "Huzhou, CN", images: [image] });
  t.equal(created.statusCode, 201, "registered");
  const first = created.json();

  t.test("the registration record's subject is the canonical GS1 Digital Link URI and it starts the chain", async (t) => {
    const envelope = first.record.receipt.record.envelope;
    t.equal(first.product.gtin, gtin14, "the GTIN-13 is kept as its GTIN-14");
    t.equal(first.product.subject, subject);
    t.equal(envelope.subject, subject);
    t.equal(envelope.kind, "trace.product");
    t.equal(envelope.prev, null, "the first record of a subject has no prev");
    t.equal(envelope.submitter, `merchant:${shopA.merchantId}`);
    t.equal(first.record.receipt.record.recordHash, sha256Hex(canonicalJson(envelope)), "recordHash is SHA-256 of the RFC 8785 envelope");
    t.same(first.product.history.map((r: { id: string }) => r.id), [first.record.id]);
  });

  t.test("the payload is stored as the exact canonical bytes its contentHash was computed from", async (t) => {
    const stored = await payloadOf(first.record.id);
    t.equal(sha256Hex(stored), first.record.receipt.record.envelope.contentHash);
    t.equal(stored, canonicalJson(JSON.parse(stored)), "and they are RFC 8785 canonical");
    t.same(JSON.parse(stored), { type: "product", gtin: gtin14, merchant: `urn:tracemark:merchant:${shopA.merchantId}`, name: "Silk scarf", brand: "Huzhou Silk", origin: "Huzhou, CN", images: [image], certificates: [] });
  });

  t.test("an edit is a new record whose prev is the previous recordHash; the row shows the new state and the whole history", async (t) => {
    const edited = await call(shopA, "PATCH", `/v1/products/${gtin14}`, { name: "Silk scarf, 90 cm", brand: null });
    t.equal(edited.statusCode, 200, "edited");
    const { product, record } = edited.json();
    t.equal(record.receipt.record.envelope.prev, first.record.receipt.record.recordHash);
    t.equal(record.receipt.record.envelope.subject, subject);
    t.equal(product.name, "Silk scarf, 90 cm");
    t.equal(product.brand, null, "null clears an optional field");
    t.equal(product.origin, "Huzhou, CN", "fields not named are kept");
    t.equal(product.version, 2);
    t.same(product.history.map((r: { recordHash: string }) => r.recordHash), [first.record.receipt.record.recordHash, record.receipt.record.recordHash]);
    t.notOk(JSON.parse(await payloadOf(record.id)).brand, "the new payload is the whole new state");
    const subjectRow = await h.database.db.selectFrom("subjects").selectAll().where("subject", "=", subject).executeTakeFirstOrThrow();
    t.equal(subjectRow.head_record_hash, record.receipt.record.recordHash, "the subject's head is the newest record");
  });

  t.test("concurrent edits of one product form one linear chain: no two records share a prev", async (t) => {
    const edits = await Promise.all(Array.from({ length: 16 }, (_, i) => call(shopA, "PATCH", `/v1/products/${gtin14}`, { description: `edit ${i}` })));
    t.same(edits.map((e) => e.statusCode), edits.map(() => 200));
    const records = await h.database.db.selectFrom("records").select(["record_hash", "envelope"]).where("subject", "=", subject).orderBy("seq").execute();
    t.equal(records.length, 18);
    const prevs = records.map((r) => (JSON.parse(r.envelope) as { prev: string | null }).prev);
    t.equal(new Set(prevs).size, prevs.length, "every prev is used once");
    records.forEach((r, i) => i > 0 && t.equal(prevs[i], records[i - 1]!.record_hash, `record ${i} follows record ${i - 1}`));
    const product = (await call(shopA, "GET", `/v1/products/${gtin14}`)).json();
    t.equal(product.version, 18);
    t.equal(product.history.length, 18);
  });

  t.test("another merchant gets the 404 of a product that does not exist, and cannot register under a foreign prefix", async (t) => {
    const absent = gtinUnder("952012", 9999);
    for (const [method, payload] of [["GET", undefined], ["PATCH", { name: "mine now" }]] as const) {
      const foreign = await call(shopB, method, `/v1/products/${gtin14}`, payload);
      const missing = await call(shopB, method, `/v1/products/${absent}`, payload);
      t.equal(foreign.statusCode, 404, method);
      t.same({ ...foreign.json().error, requestId: 0 }, { ...missing.json().error, requestId: 0 }, `${method}: the same answer as for nothing`);
    }
    const squat = await call(shopB, "POST", "/v1/products", { gtin: gtinUnder("952012", 77), name: "Fake" });
    t.equal(squat.statusCode, 403);
    t.match(squat.json().error, { code: "FORBIDDEN", field: "body.gtin" });
    const nobodys = await call(shopB, "POST", "/v1/products", { gtin: gtinUnder("400000", 1), name: "Fake" });
    t.same({ ...nobodys.json().error, requestId: 0, message: 0 }, { ...squat.json().error, requestId: 0, message: 0 }, "a prefix nobody holds gets the same answer");
  });

  t.test("the owner, a mediator and the operator read the product", async (t) => {
    const { issueApiKey } = await import("../../src/auth/api-keys.ts");
    const mediator = await issueApiKey(h.database.db, { role: "mediator" });
    for (const key of [shopA, mediator, h.admin]) t.equal((await call(key, "GET", `/v1/products/${gtin13}`)).json().gtin, gtin14);
  });

  t.test("every bad field is a 400 naming it", async (t) => {
    const cases: Array<[object, string]> = [
      [{ gtin: "9520123456781", name: "x" }, "body.gtin"], // wrong check digit
      [{ gtin: "95201234", name: "x" }, "body.gtin"], // GTIN-8 with a wrong check digit
      [{ gtin: "952012345", name: "x" }, "body.gtin"], // 9 digits
      [{ gtin: gtinUnder("952012", 5), name: "a\u0000b" }, "body.name"],
      [{ gtin: gtinUnder("952012", 5), name: "" }, "body.name"],
      [{ gtin: gtinUnder("952012", 5), name: "x", images: [{ sha256: "z", name: "a", mediaType: "image/png" }] }, "body.images[0].sha256"],
      [{ gtin: gtinUnder("952012", 5), name: "x", colour: "red" }, "body.colour"],
    ];
    for (const [payload, field] of cases) {
      const res = await call(shopA, "POST", "/v1/products", payload);
      t.equal(res.statusCode, 400, `${JSON.stringify(payload)}: 400`);
      t.equal(res.json().error.field, field, `names ${field}`);
    }
    t.match((await call(shopA, "POST", "/v1/products", { gtin: "9520123456781", name: "x" })).json().error.message, /check digit/);
    t.equal((await call(shopA, "PATCH", `/v1/products/${gtin14}`, {})).statusCode, 400, "an edit that changes nothing is refused");
    t.equal((await call(shopA, "GET", "/v1/products/9520123456781")).json().error.field, "params.gtin");
  });

  t.test("registering a GTIN twice is a 409 naming body.gtin", async (t) => {
    const again = await call(shopA, "POST", "/v1/products", { gtin: gtin14, name: "again" });
    t.equal(again.statusCode, 409);
    t.equal(again.json().error.field, "body.gtin");
  });
});
