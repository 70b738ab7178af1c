import t from "tap";
import { sql } from "kysely";
import { bearer, buildTestApp } from "../support/app.ts";

t.test("errors have stable codes and name the field", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const post = (payload: unknown) => h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: payload as object });

  t.test("a missing field is 400 naming it", async (t) => {
    const res = await post({});
    t.equal(res.statusCode, 400);
    t.same(res.json().error.code, "VALIDATION_FAILED");
    t.equal(res.json().error.field, "body.role");
  });

  t.test("a wrong value is 400 naming the field", async (t) => {
    const res = await post({ role: "superuser" });
    t.equal(res.statusCode, 400);
    t.equal(res.json().error.field, "body.role");
  });

  t.test("an unknown field is 400 naming it, not silently dropped", async (t) => {
    const res = await post({ role: "mediator", isRoot: true });
    t.equal(res.statusCode, 400);
    t.equal(res.json().error.field, "body.isRoot");
  });

  t.test("malformed JSON is 400 with a code", async (t) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: { ...bearer(h.admin), "content-type": "application/json" }, payload: "{not json" });
    t.equal(res.statusCode, 400);
    t.ok(res.json().error.code);
  });

  t.test("an unknown route is 404 with a code", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/v1/nowhere" });
    t.equal(res.statusCode, 404);
    t.equal(res.json().error.code, "NOT_FOUND");
  });

  t.test("a 5xx hides the internals behind a request id", async (t) => {
    // The table is gone from this test's own database: the insert fails inside the driver.
    await sql`drop table merchants cascade`.execute(h.database.db);
    const res = await h.app.inject({ method: "POST", url: "/v1/admin/merchants", headers: bearer(h.admin), payload: { name: "x" } });
    t.equal(res.statusCode, 500);
    t.equal(res.json().error.code, "INTERNAL");
    t.ok(res.json().error.requestId);
    t.notMatch(res.body, /relation|merchants|does not exist|stack/i);
  });
});
