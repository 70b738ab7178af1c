import t from "tap";
import { JsonRpcProvider, Network } from "ethers";
import pino from "pino";
import { buildApp } from "../../src/app.ts";
import { buildTestApp } from "../support/app.ts";

t.test("health, readiness and the OpenAPI document", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);

  t.test("/healthz says the process is alive", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/healthz" });
    t.equal(res.statusCode, 200);
    t.same(res.json(), { status: "ok" });
  });

  t.test("/readyz is 200 when the database and the chain both answer", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/readyz" });
    t.equal(res.statusCode, 200);
    t.equal(res.json().ready, true);
    t.equal(res.json().database.ok, true);
    t.match(res.json().chain.detail, /chain 31337/);
  });

  t.test("/docs/json is an OpenAPI 3 document listing every route", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/docs/json" });
    t.equal(res.statusCode, 200);
    const doc = res.json();
    t.match(doc.openapi, /^3\./);
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
    const routes = h.app
      .printRoutes({ commonPrefix: false })
      .split("\n")
      .filter((l) => l.includes("("));
    t.ok(routes.length > 0);
    for (const expected of ["GET /healthz", "GET /readyz", "GET /v1/me", "POST /v1/admin/merchants", "POST /v1/admin/keys", "DELETE /v1/admin/keys/{keyId}"]) {
      t.ok(documented.has(expected), `${expected} is documented`);
    }
  });

  t.test("/docs serves the UI", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/docs/" });
    t.equal(res.statusCode, 200);
    t.match(res.headers["content-type"], /html/);
  });
});

t.test("/readyz is 503 and says why when the chain does not answer", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  // The same app, but its chain is a JSON-RPC endpoint on a loopback port where nothing listens.
  const deadRpc = new JsonRpcProvider("http://127.0.0.1:9", Network.from(31337), { staticNetwork: true });
  t.teardown(() => deadRpc.destroy());
  const app = await buildApp({ config: h.config, database: h.database, chain: { ...h.chain, provider: deadRpc } });
  t.teardown(() => app.close());
  const res = await app.inject({ method: "GET", url: "/readyz" });
  t.equal(res.statusCode, 503);
  t.equal(res.json().ready, false);
  t.equal(res.json().chain.ok, false);
  t.equal(res.json().database.ok, true);
});

t.test("request lines are logged at debug only, health probes included", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const logged = async (level: "info" | "debug") => {
    const lines: Array<{ msg: string; level: number; req?: { url: string } }> = [];
    const logger = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const app = await buildApp({ config: { ...h.config, LOG_LEVEL: level }, database: h.database, chain: h.chain, logger });
    t.teardown(() => app.close());
    for (const url of ["/healthz", "/readyz", "/v1/me"]) await app.inject({ method: "GET", url });
    return { lines: (url: string) => lines.filter((l) => l.msg === "incoming request" && l.req?.url === url).length, all: lines };
  };

  const atInfo = await logged("info");
  t.equal(atInfo.lines("/healthz"), 0, "LOG_LEVEL=info: no line per /healthz");
  t.equal(atInfo.lines("/readyz"), 0, "nor per /readyz");
  t.equal(atInfo.lines("/v1/me"), 0, "nor per request: thousands a second would be thousands of writes");
  t.ok(atInfo.all.some((l) => l.msg === "request rejected" && l.level === 30), "a refused request (the 401 of /v1/me) is still logged at info");
  const atDebug = await logged("debug");
  t.equal(atDebug.lines("/healthz"), 1, "LOG_LEVEL=debug: /healthz is logged");
  t.equal(atDebug.lines("/readyz"), 1, "and /readyz");
  t.equal(atDebug.lines("/v1/me"), 1, "and every other request");
});
