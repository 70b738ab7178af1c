import { randomUUID } from "node:crypto";
import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { gtinUnder } from "../support/trace.ts";

t.test("GS1 Company Prefixes: the operator assigns them, they never overlap, and GTINs follow them", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const shopA = await merchantKey(h.database, "Shop A");
  const shopB = await merchantKey(h.database, "Shop B");
  const assign = (merchantId: string, prefix: string) =>
    h.app.inject({ method: "POST", url: `/v1/admin/merchants/${merchantId}/prefixes`, headers: bearer(h.admin), payload: { prefix } });
  const register = (key: { token: string }, gtin: string) => h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(key), payload: { gtin, name: "Tea" } });

  t.test("the operator assigns prefixes and lists them; the merchant sees its own", async (t) => {
    const res = await assign(shopA.merchantId!, "952012");
    t.equal(res.statusCode, 201);
    t.match(res.json(), { prefix: "952012", merchantId: shopA.merchantId });
    t.equal((await assign(shopA.merchantId!, "0614141")).statusCode, 201, "a second prefix, a U.P.C. Company Prefix with its leading 0");
    const listed = await h.app.inject({ method: "GET", url: `/v1/admin/merchants/${shopA.merchantId}/prefixes`, headers: bearer(h.admin) });
    t.same(listed.json().prefixes.map((p: { prefix: string }) => p.prefix), ["0614141", "952012"]);
    const own = await h.app.inject({ method: "GET", url: "/v1/merchant/prefixes", headers: bearer(shopA) });
    t.same(own.json().prefixes.map((p: { prefix: string }) => p.prefix), ["0614141", "952012"]);
    t.same((await h.app.inject({ method: "GET", url: "/v1/merchant/prefixes", headers: bearer(shopB) })).json().prefixes, [], "B has none");
  });

  t.test("a prefix that equals, extends or shortens an assigned one is a 409 naming body.prefix, for any merchant", async (t) => {
    for (const [merchant, prefix] of [[shopB, "952012"], [shopB, "9520121"], [shopB, "95201"], [shopA, "952012345"]] as const) {
      const res = await assign(merchant.merchantId!, prefix);
      t.equal(res.statusCode, 409, prefix);
      t.match(res.json().error, { code: "CONFLICT", field: "body.prefix" });
    }
    t.match((await assign(shopB.merchantId!, "95201")).json().error.message, /would cover 952012, assigned to another merchant/);
    t.equal((await assign(shopB.merchantId!, "952013")).statusCode, 201, "a neighbour that overlaps nothing is fine");
  });

  t.test("concurrent assignments of overlapping prefixes: exactly one wins", async (t) => {
    const results = await Promise.all(["4711", "47110", "471100", "4711000"].map((prefix, i) => assign((i % 2 ? shopA : shopB).merchantId!, prefix)));
    t.same(results.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
  });

  t.test("bad prefixes and unknown merchants are refused, naming the field", async (t) => {
    for (const prefix of ["123", "1234567890123", "12a4"]) {
      const res = await assign(shopA.merchantId!, prefix);
      t.equal(res.statusCode, 400, prefix);
      t.equal(res.json().error.field, "body.prefix");
    }
    const short = await assign(shopA.merchantId!, "000001");
    t.equal(short.statusCode, 400, "a short prefix in the GTIN-8 range");
    t.match(short.json().error.message, /GTIN-8/);
    const unknown = await assign(randomUUID(), "123456");
    t.equal(unknown.statusCode, 404);
    t.equal(unknown.json().error.field, "params.merchantId");
    t.equal((await h.app.inject({ method: "GET", url: `/v1/admin/merchants/${randomUUID()}/prefixes`, headers: bearer(h.admin) })).statusCode, 404);
  });

  t.test("a merchant registers GTIN-13, -12 and -14 under its prefixes, and nothing under another's", async (t) => {
    t.equal((await register(shopA, gtinUnder("952012", 1))).statusCode, 201, "GTIN-13 under 952012");
    const gtin14Body = `3${gtinUnder("952012", 2).slice(0, 12)}`;
    const { gs1CheckDigit } = await import("../../src/gs1/index.ts");
    t.equal((await register(shopA, gtin14Body + gs1CheckDigit(gtin14Body))).statusCode, 201, "GTIN-14 with indicator 3: the prefix follows the indicator");
    const upc = gtinUnder("0614141", 7).slice(1); // the GTIN-12 (U.P.C.-A) 614141…
    t.equal(upc.length, 12);
    t.equal((await register(shopA, upc)).statusCode, 201, "GTIN-12 under the U.P.C. prefix 0614141");
    const foreign = await register(shopB, gtinUnder("952012", 3));
    t.equal(foreign.statusCode, 403);
    t.match(foreign.json().error, { code: "FORBIDDEN", field: "body.gtin" });
  });

  t.test("a GTIN-8 is registered through the 12-digit prefix 00000 + its first seven digits", async (t) => {
    const gtin8 = "95050003"; // check digit 3
    t.equal((await register(shopB, gtin8)).statusCode, 403, "not before it is assigned");
    t.equal((await assign(shopB.merchantId!, `00000${gtin8.slice(0, 7)}`)).statusCode, 201);
    const res = await register(shopB, gtin8);
    t.equal(res.statusCode, 201);
    t.equal(res.json().product.gtin, `000000${gtin8}`);
  });
});
