import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

t.test("security headers, caching and CORS", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const merchant = await merchantKey(h.database);
  const origin = { origin: "https://shop.example" };

  t.test("every response carries Helmet's headers, errors included", async (t) => {
    for (const res of [
      await h.app.inject({ method: "GET", url: "/healthz" }),
      await h.app.inject({ method: "GET", url: "/v1/me" }),
      await h.app.inject({ method: "GET", url: "/v1/nowhere" }),
    ]) {
      t.equal(res.headers["x-content-type-options"], "nosniff");
      t.match(String(res.headers["content-security-policy"]), /default-src 'self'/);
      t.match(String(res.headers["content-security-policy"]), /frame-ancestors 'self'/);
      t.notMatch(String(res.headers["content-security-policy"]), /upgrade-insecure-requests/, "no upgrade: the service also runs on plain HTTP");
    }
  });

  t.test("Swagger UI still renders under the CSP: its page loads only same-origin scripts", async (t) => {
    const pageUrl = "/docs/";
    const page = await h.app.inject({ method: "GET", url: pageUrl });
    t.equal(page.statusCode, 200);
    const html = page.body;
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    t.ok(scripts.length > 0, "the page has scripts");
    for (const [, attributes, inline] of scripts) {
      t.equal(inline!.trim(), "", "no inline script (script-src 'self' would block it)");
      const src = /src="([^"]+)"/.exec(attributes!)?.[1];
      t.ok(src && !/^(https?:)?\/\//.test(src), `${src} is same-origin`);
      const asset = await h.app.inject({ method: "GET", url: new URL(src!, `http://x${pageUrl}`).pathname });
      t.equal(asset.statusCode, 200, `${src} is served`);
    }
    const csp = String(page.headers["content-security-policy"]);
    t.match(csp, /script-src 'self'/);
  });

  t.test("anything carrying a key or a salt is Cache-Control: no-store", async (t) => {
    const issued = await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "mediator" } });
    t.equal(issued.statusCode, 201);
    t.equal(issued.headers["cache-control"], "no-store", "key issuance");
    const accepted = await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.chat", subject: "stream:1", payload: { a: 1 } } });
    t.equal(accepted.headers["cache-control"], "no-store", "the accepted receipt (it has the salt)");
    const id = accepted.json().id as string;
    const receipt = await h.app.inject({ method: "GET", url: `/v1/records/${id}/receipt`, headers: bearer(merchant) });
    t.equal(receipt.statusCode, 200);
    t.equal(receipt.headers["cache-control"], "no-store", "the receipt");
    t.equal((await h.app.inject({ method: "GET", url: `/v1/records/${id}`, headers: bearer(merchant) })).headers["cache-control"], "no-store", "the record view");
    t.equal((await h.app.inject({ method: "POST", url: "/v1/verify", payload: { receipt: receipt.json() } })).headers["cache-control"], "no-store", "the verify report");
  });

  t.test("CORS is open, without credentials, on the public routes", async (t) => {
    for (const [method, url] of [["GET", "/healthz"], ["GET", "/readyz"], ["POST", "/v1/verify"], ["GET", "/.well-known/tracemark-trust.json"]] as const) {
      const res = await h.app.inject({ method, url, headers: origin, ...(method === "POST" ? { payload: {} } : {}) });
      t.equal(res.headers["access-control-allow-origin"], "*", `${method} ${url}`);
      t.notOk(res.headers["access-control-allow-credentials"], `${method} ${url} has no credentials`);
      t.equal(res.headers["cross-origin-resource-policy"], "cross-origin", `${method} ${url} may be embedded`);
    }
    const preflight = await h.app.inject({ method: "OPTIONS", url: "/v1/verify/upload", headers: { ...origin, "access-control-request-method": "POST" } });
    t.equal(preflight.statusCode, 204);
    t.equal(preflight.headers["access-control-allow-origin"], "*");
    t.match(String(preflight.headers["access-control-allow-methods"]), /POST/);
  });

  t.test("CORS is closed on the keyed routes", async (t) => {
    for (const [method, url] of [["GET", "/v1/me"], ["POST", "/v1/records"], ["POST", "/v1/admin/keys"]] as const) {
      const res = await h.app.inject({ method, url, headers: { ...origin, ...bearer(merchant) }, ...(method === "POST" ? { payload: {} } : {}) });
      t.notOk(res.headers["access-control-allow-origin"], `${method} ${url}`);
      t.equal(res.headers["cross-origin-resource-policy"], "same-origin", `${method} ${url}`);
    }
    const preflight = await h.app.inject({ method: "OPTIONS", url: "/v1/records", headers: { ...origin, "access-control-request-method": "POST" } });
    t.equal(preflight.statusCode, 404, "no preflight for a keyed route");
    t.notOk(preflight.headers["access-control-allow-origin"]);
    t.equal(preflight.json().error.code, "NOT_FOUND");
  });
});
