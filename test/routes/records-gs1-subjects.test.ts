// POST /v1/records and /v1/records/batch refuse GS1 subjects (src/trace/domain-subjects.ts): a
// merchant cannot squat the subject of a GTIN under another merchant's prefix before its owner
// registers it, nor append generic records to a product, lot or item chain, its own included.
import t from "tap";
import { bearer, buildTestApp } from "../support/app.ts";
import { sgtin } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

t.test("generic records on GS1 subjects", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Shop A", "9520123");
  const b = await merchantWithPrefix(h, "Shop B", "9520999");
  const gtin = gtinUnder("9520123", 42);
  const write = (key: { token: string }, subject: string) =>
    h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(key), payload: { kind: "evidence.chat", subject, payload: { said: "mine" } } });
  const subjectRow = (subject: string) => h.database.db.selectFrom("subjects").selectAll().where("subject", "=", subject).executeTakeFirst();

  await t.test("another merchant cannot claim the subject of an unregistered GTIN under A's prefix; A registers it afterwards", async (t) => {
    const subject = `${PUBLIC_BASE_URL}/01/0${gtin}`;
    const res = await write(b, subject);
    t.equal(res.statusCode, 403);
    t.match(res.json().error, { code: "FORBIDDEN", field: "body.subject", message: /GS1 identifier.*POST \/v1\/products/ });
    t.notOk(await subjectRow(subject), "nothing was claimed");
    const registered = await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(a), payload: { gtin, name: "Silk scarf" } });
    t.equal(registered.statusCode, 201, "the owner's registration goes through");
  });

  await t.test("every way of writing a GS1 key is refused, the caller's own product and the admin's writes included", async (t) => {
    const own = [
      `${PUBLIC_BASE_URL}/01/0${gtin}`,
      `${PUBLIC_BASE_URL}/01/0${gtin}/10/LOT1`,
      `https://id.gs1.org/01/0${gtin}/21/S1`,
      `https://brand.example/shop/01/${gtin}/21/S1`,
      sgtin(gtin, "S1"),
      "urn:epc:id:sscc:9520123.0000000001",
      `${PUBLIC_BASE_URL}/00/095201230000000011`,
    ];
    for (const subject of own) {
      for (const [who, key] of [["A", a], ["admin", h.admin]] as const) {
        const res = await write(key, subject);
        t.equal(res.statusCode, 403, `${who}: ${subject}: 403`);
        t.equal(res.json().error.field, "body.subject", `${who}: ${subject}: names body.subject`);
      }
    }
  });

  await t.test("subjects that only look like paths with numbers are taken", async (t) => {
    for (const subject of ["stream:live-42", "order:A-1001", "https://shop.example/orders/2026/01/15", "https://shop.example/01/not-a-gtin"]) {
      t.equal((await write(a, subject)).statusCode, 202, subject);
    }
  });

  await t.test("a batch with one GS1 subject is refused whole, naming that record", async (t) => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/records/batch",
      headers: bearer(a),
      payload: { records: [{ kind: "evidence.chat", subject: "stream:batch-ok", payload: {} }, { kind: "evidence.chat", subject: sgtin(gtin, "S9"), payload: {} }] },
    });
    t.equal(res.statusCode, 403);
    t.equal(res.json().error.field, "body.records[1].subject");
    t.notOk(await subjectRow("stream:batch-ok"), "the other record was not stored either");
  });
});
