// The authorization matrix: every registered route × every kind of caller, each cell a request
// to the real app, checked against what the route declares (`config.access`, src/plugins/auth.ts).
// Routes come from the app itself (app.routeAccess), so a new route is in the matrix without
// editing this file; one that declares nothing keeps the app from starting. The table is written
// to docs/authorization.md, and this test fails when that file says anything else.
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import t from "tap";
import { buildApp } from "../../src/app.ts";
import { publicBaseUrl } from "../../src/config.ts";
import { issueApiKey, revokeApiKey } from "../../src/auth/api-keys.ts";
import type { Access, RouteAccess } from "../../src/plugins/auth.ts";
import { bearer, buildTestApp, merchantKey, type TestApp } from "../support/app.ts";
import { pageAssets } from "../../src/pages/assets.ts";
import { gtinUnder } from "../support/trace.ts";
import { csrfOf } from "../../src/routes/mediator-pages.ts";
import { matrixDocument, type Caller, CALLERS, type Cell, type TenancyCase } from "./authorization-doc.ts";

const DOC_PATH = new URL("../../docs/authorization.md", import.meta.url);
const UPDATE = process.env["TRACEMARK_UPDATE_DOCS"] === "1";

/** What the route's declaration promises each caller. Merchant A owns every resource a path names. */
function expectedCell(access: Access, caller: Caller, hasPathParams: boolean): Cell {
  if (access === "public") return "✓";
  const role = caller === "merchant A" || caller === "merchant B" ? "merchant" : caller;
  const admits = (access.roles as readonly string[]).includes(role);
  if (access.session && !admits) return "sign-in";
  if (caller === "no key" || caller === "revoked key") return 401;
  if (!admits) return 403;
  if (caller === "merchant B" && hasPathParams && access.ownedOnly?.includes("merchant")) return 404;
  return "✓";
}

interface Sample {
  payload?: string | object;
  headers?: Record<string, string>;
  /** A query string for routes that need one ("?uri=…"). */
  query?: string;
}

async function fixtures(h: TestApp) {
  const a = await merchantKey(h.database, "Shop A");
  const b = await merchantKey(h.database, "Shop B");
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "matrix mediator" });
  const revoked = await issueApiKey(h.database.db, { role: "admin", label: "matrix revoked admin" });
  await revokeApiKey(h.database.db, revoked.keyId);
  const keys: Record<Caller, { token: string } | null> = { "no key": null, "revoked key": revoked, "merchant A": a, "merchant B": b, mediator, admin: h.admin };

  const accepted = (await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(a), payload: { kind: "evidence.chat", subject: "matrix:a", payload: { line: "A's own" } } })).json();

  // Traceability: each merchant holds a GS1 Company Prefix; A owns a product, a lot, and an items job that has ended.
  const admin = (url: string, payload: object) => h.app.inject({ method: "POST", url, headers: bearer(h.admin), payload });
  const asA = (url: string, payload: object) => h.app.inject({ method: "POST", url, headers: bearer(a), payload });
  await admin(`/v1/admin/merchants/${a.merchantId}/prefixes`, { prefix: "952012" });
  await admin(`/v1/admin/merchants/${b.merchantId}/prefixes`, { prefix: "952099" });
  let nextGtin = 1;
  const freshGtin = (caller: Caller) => gtinUnder(caller === "merchant B" ? "952099" : "952012", nextGtin++);
  const gtin = freshGtin("merchant A");
  await asA("/v1/products", { gtin, name: "Matrix tea" });
  await asA(`/v1/products/${gtin}/lots`, { lot: "MATRIX-LOT" });
  const job = (await asA(`/v1/products/${gtin}/lots/MATRIX-LOT/items`, { count: 2 })).json();
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 20))) {
    status = (await h.app.inject({ method: "GET", url: job.links.self, headers: bearer(a) })).json().status;
  }
  const serial = (await h.database.db.selectFrom("items").select("serial").where("job_id", "=", job.id).executeTakeFirstOrThrow()).serial;
  const receipt = (await h.app.inject({ method: "GET", url: `/v1/records/${accepted.id}/receipt`, headers: bearer(a) })).json();
  // EPCIS: an event about an item of each caller's own product; A's capture job.
  const captureOf = (caller: Caller) => ({
    type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-01-01T00:00:00Z", "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    epcisBody: { eventList: [{ type: "ObjectEvent", eventTime: new Date().toISOString(), eventTimeZoneOffset: "+00:00", action: "OBSERVE", epcList: [`https://id.gs1.org/01/0${freshGtin(caller)}/21/M${nextGtin++}`] }] },
  });
  const capture = (await asA("/epcis/capture", captureOf("merchant A"))).json();
  // Orders: A's order of its item, with an after-sales request left open for each update.
  const order = (await asA("/v1/orders", { orderRef: "MATRIX-1", placedAt: "2026-11-11T12:00:00Z", currency: "CNY", total: "1.00", items: [{ gtin, serial, price: "1.00" }], buyer: { id: "matrix-buyer" } })).json();
  const fileRef = { sha256: "ab".repeat(32), mediaType: "image/png" };

  const streamBody = { platform: "Douyin", roomUrl: "https://live.example/matrix", host: "Matrix host", public: true };
  const segmentSha = "ab".repeat(32);
  // Evidence files: one uploaded by each merchant; qualifications on A's.
  const boundary = "matrix-boundary";
  const fileForm = (name: string) => ({
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/pdf\r\n\r\n${name} ${randomUUID()}\r\n--${boundary}--\r\n`,
  });
  const uploadAs = async (key: { token: string }, name: string) =>
    (await h.app.inject({ method: "POST", url: "/v1/evidence/files", headers: { ...bearer(key), ...fileForm(name).headers }, payload: fileForm(name).payload })).json().file as { id: string; sha256: string };
  const fileOf = { "merchant A": await uploadAs(a, "licence-a.pdf"), "merchant B": await uploadAs(b, "licence-b.pdf") };
  const qualificationBody = (caller: Caller) => ({ type: "business-licence", number: "M-1", validFrom: "2024-01-01", file: { id: (caller === "merchant B" ? fileOf["merchant B"] : fileOf["merchant A"]).id } });
  // Public notarization: a record anyone may read by its id.
  const publicRecordBody = () => ({ kind: "consumer.file", contentHash: randomUUID().replace(/-/g, "").padEnd(64, "0"), mediaType: "text/plain" });
  const publicRecord = (await h.app.inject({ method: "POST", url: "/v1/public/records", payload: publicRecordBody() })).json();

  // Cases: a fresh case of A's each time (a decision is taken once), with the matrix mediator
  // assigned; an evidence item A added to the case the last caseId named.
  let lastCase = "";
  const freshCase = async () => {
    const opened = (await asA("/v1/cases", { orderRef: `M-${nextGtin++}`, summary: "matrix case" })).json();
    await admin(`/v1/cases/${opened.case.id}/mediator`, { keyId: mediator.keyId });
    lastCase = opened.case.id as string;
    return lastCase;
  };
  const freshEvidence = async () => {
    const record = (await asA("/v1/records", { kind: "evidence.chat", subject: `matrix:${randomUUID()}`, payload: {} })).json();
    return (await asA(`/v1/cases/${lastCase}/evidence`, { recordId: record.id })).json().id as string;
  };

  /** A value for each path parameter: `value` for the request (A's own where it is owned), `absent` one that exists nowhere. */
  const params: Record<string, { value(): Promise<string> | string; absent(): string }> = {
    id: { value: () => accepted.id as string, absent: () => randomUUID() },
    // A fresh key each time: the admin's DELETE revokes it.
    keyId: { value: async () => (await issueApiKey(h.database.db, { role: "mediator", label: "matrix: to revoke" })).keyId, absent: () => "000000000000" },
    "*": { value: () => "index.css", absent: () => "no-such-file.css" },
    gtin: { value: () => gtin, absent: () => gtinUnder("952012", 999_999) },
    lot: { value: () => "MATRIX-LOT", absent: () => "NO-SUCH-LOT" },
    serial: { value: () => serial, absent: () => "NOSUCHSERIAL" },
    jobId: { value: () => job.id as string, absent: () => randomUUID() },
    merchantId: { value: () => a.merchantId as string, absent: () => randomUUID() },
    // A fresh link of A's each time: the DELETE removes it.
    linkId: {
      value: async () => (await asA(`/v1/products/${gtin}/links`, { linkType: "gs1:instructions", href: "https://shop.example/a", title: "Matrix link" })).json().link.id as string,
      absent: () => randomUUID(),
    },
    captureId: { value: () => capture.captureID as string, absent: () => randomUUID() },
    epc: { value: () => `https://id.gs1.org/01/0${gtin}/21/${serial}`, absent: () => `https://id.gs1.org/01/0${gtin}/21/NOSUCHSERIAL` },
    // A fresh stream of A's each time: the end closes it.
    streamId: { value: async () => (await asA("/v1/streams", streamBody)).json().stream.id as string, absent: () => randomUUID() },
    orderId: { value: () => order.orderId as string, absent: () => randomUUID() },
    recordId: { value: () => order.record.id as string, absent: () => randomUUID() },
    afterSalesId: {
      value: async () => (await asA(`/v1/orders/${order.orderId}/after-sales`, { type: "refund", reason: "matrix", requestedAt: "2026-11-12T00:00:00Z" })).json().afterSalesId as string,
      absent: () => randomUUID(),
    },
    sha256: { value: () => fileOf["merchant A"].sha256, absent: () => "0".repeat(64) },
    // A fresh pending qualification of A's each time: a decision is made once.
    qualificationId: { value: async () => (await asA("/v1/qualifications", qualificationBody("merchant A"))).json().qualification.id as string, absent: () => randomUUID() },
    publicRecordId: { value: () => publicRecord.id as string, absent: () => randomUUID() },
    // The pages' built assets (src/pages/assets.ts): a real hashed file name.
    file: { value: async () => (await pageAssets()).urls["site.css"]!.split("/").pop()!, absent: () => "site.0000000000000000.css" },
    caseId: { value: freshCase, absent: () => randomUUID() },
    evidenceId: { value: freshEvidence, absent: () => randomUUID() },
  };

  /** A valid request for routes that need a body, so an admitted caller gets a 2xx. */
  const samples: Record<string, (caller: Caller) => Sample> = {
    "POST /v1/records": () => ({ payload: { kind: "evidence.chat", subject: `matrix:${randomUUID()}`, payload: {} } }),
    "POST /v1/records/batch": () => ({ payload: { records: [{ kind: "evidence.chat", subject: `matrix:${randomUUID()}`, payload: {} }] } }),
    "POST /v1/admin/merchants": () => ({ payload: { name: "Matrix Shop" } }),
    "POST /v1/admin/keys": () => ({ payload: { role: "mediator", label: "matrix" } }),
    "POST /v1/verify": () => ({ payload: { receipt } }),
    "POST /v1/admin/merchants/:merchantId/prefixes": () => ({ payload: { prefix: `7${String(nextGtin++).padStart(11, "0")}` } }),
    "POST /v1/products": (caller) => ({ payload: { gtin: freshGtin(caller), name: "Matrix tea" } }),
    "PATCH /v1/products/:gtin": () => ({ payload: { description: "edited by the matrix" } }),
    "POST /v1/products/:gtin/lots": () => ({ payload: { lot: `M-${nextGtin++}` } }),
    "PATCH /v1/products/:gtin/lots/:lot": () => ({ payload: { origin: "edited by the matrix" } }),
    "POST /v1/products/:gtin/lots/:lot/items": () => ({ payload: { count: 1 } }),
    "POST /epcis/capture": (caller) => ({ payload: captureOf(caller) }),
    "POST /v1/products/:gtin/recalls": () => ({ payload: { reason: "matrix recall" } }),
    "POST /v1/products/:gtin/recalls/withdrawals": () => ({ payload: { reason: "matrix withdrawal" } }),
    "POST /v1/products/:gtin/lots/:lot/recalls": () => ({ payload: { reason: "matrix recall" } }),
    "POST /v1/products/:gtin/lots/:lot/recalls/withdrawals": () => ({ payload: { reason: "matrix withdrawal" } }),
    "POST /v1/products/:gtin/links": () => ({ payload: { linkType: "gs1:pip", href: "https://shop.example/tea", title: "Matrix tea" } }),
    "POST /v1/orders/:orderId/payments": () => ({ payload: { amount: "1.00", currency: "CNY", method: "card", reference: "matrix", paidAt: "2026-11-11T12:01:00Z" } }),
    "POST /v1/orders/:orderId/chats": () => ({ payload: { messages: [{ from: "buyer", at: "2026-11-11T12:02:00Z", text: "is it silk?" }] } }),
    "POST /v1/orders/:orderId/files": () => ({ payload: { purpose: "screenshot", file: fileRef } }),
    "POST /v1/orders/:orderId/after-sales": () => ({ payload: { type: "return", reason: "matrix", requestedAt: "2026-11-12T00:00:00Z", evidence: [fileRef] } }),
    "POST /v1/orders/:orderId/after-sales/:afterSalesId/updates": () => ({ payload: { step: "response", text: "send it back", at: "2026-11-12T01:00:00Z" } }),
    "POST /v1/orders/:orderId/records/:recordId/disclosure": () => ({ payload: { fields: ["total", "items"] } }),
    "POST /v1/orders/:orderId/erasure": () => ({ payload: { reason: "matrix data subject request" } }),
    "GET /v1/qr": () => ({ query: `?uri=${encodeURIComponent(`${publicBaseUrl(h.config)}/01/0${gtin}`)}` }),
    "POST /rpc": () => ({ payload: { jsonrpc: "2.0", id: 1, method: "eth_chainId" } }),
    "GET /v1/trace": () => ({ query: `?uri=${encodeURIComponent(`https://id.gs1.org/01/0${gtin}`)}` }),
    "POST /v1/streams": () => ({ payload: streamBody }),
    "POST /v1/streams/:streamId/claims": () => ({ payload: { gtin, quote: "100% mulberry silk" } }),
    "POST /v1/streams/:streamId/segments": () => ({ payload: { rendition: "main", segments: [{ mediaSequence: 0, uri: "seg0.ts", duration: 2, bytes: 1, sha256: segmentSha }] } }),
    "POST /v1/streams/:streamId/end": () => ({ payload: { rendition: "main", playlist: { sha256: segmentSha, bytes: 1, segments: 1, firstMediaSequence: 0, lastMediaSequence: 0 } } }),
    "POST /v1/evidence/files": () => fileForm("matrix.pdf"),
    "POST /v1/qualifications": (caller) => ({ payload: qualificationBody(caller) }),
    "POST /v1/admin/qualifications/:qualificationId/decision": () => ({ payload: { decision: "approved", reason: "matrix" } }),
    "POST /v1/public/records": () => ({ payload: publicRecordBody() }),
    "POST /v1/cases/consumer": () => ({ payload: { merchantId: a.merchantId, orderRef: "C-1", summary: "matrix consumer case" } }),
    "POST /v1/cases": (caller) => ({ payload: { ...(caller.startsWith("merchant") ? {} : { merchantId: a.merchantId }), orderRef: "C-2", summary: "matrix case" } }),
    "POST /v1/cases/:caseId/evidence": () => ({ payload: { recordId: accepted.id } }),
    "POST /v1/cases/:caseId/evidence/:evidenceId/withdrawal": () => ({ payload: { reason: "matrix" } }),
    "POST /v1/cases/:caseId/statements": () => ({ payload: { text: "matrix statement" } }),
    "POST /v1/cases/:caseId/mediator": () => ({ payload: { keyId: mediator.keyId } }),
    "POST /v1/cases/:caseId/decision": () => ({ payload: { outcome: "refund", reasons: "matrix decision" } }),
    // The mediator's decision form: the session's form token, as the page renders it.
    "POST /cases/:caseId/decision": (caller) => ({
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ csrf: keys[caller] ? csrfOf(keys[caller].token) : "", outcome: "refund", reasons: "matrix decision" }).toString(),
    }),
    "POST /v1/verify/upload": () => ({
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\ncontent-disposition: form-data; name="receipt"\r\n\r\n${JSON.stringify(receipt)}\r\n--${boundary}--\r\n`,
    }),
  };
  return { keys, params, samples, a: { gtin, lot: "MATRIX-LOT", serial, jobId: job.id as string, captureId: capture.captureID as string }, freshGtin };
}

/** Merchant B against what merchant A holds (issue 8): each refused with its status, code and field, or answered with nothing of A's. */
function tenancyCases(a: { gtin: string; lot: string; serial: string; jobId: string; captureId: string }): TenancyCase[] {
  const item = `https://id.gs1.org/01/0${a.gtin}/21/${a.serial}`;
  const lotPath = `/v1/products/${a.gtin}/lots/${a.lot}`;
  const document = {
    type: "EPCISDocument", schemaVersion: "2.0", creationDate: "2026-01-01T00:00:00Z", "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    epcisBody: { eventList: [{ type: "ObjectEvent", eventTime: "2026-01-02T00:00:00Z", eventTimeZoneOffset: "+00:00", action: "OBSERVE", bizStep: "retail_selling", epcList: [item] }] },
  };
  return [
    { what: "register a product under A's GS1 Company Prefix", method: "POST", url: "/v1/products", payload: { gtin: gtinUnder("952012", 777), name: "Squatted tea" }, status: 403, code: "FORBIDDEN", field: "body.gtin" },
    { what: "register a lot of A's product", method: "POST", url: `/v1/products/${a.gtin}/lots`, payload: { lot: "B-LOT" }, status: 404, code: "NOT_FOUND", field: "params.gtin" },
    { what: "capture an event about A's item", method: "POST", url: "/epcis/capture", payload: document, status: 403, code: "FORBIDDEN", field: "body.epcisBody.eventList[0].epcList[0]" },
    { what: "recall A's lot", method: "POST", url: `${lotPath}/recalls`, payload: { reason: "sabotage" }, status: 404, code: "NOT_FOUND", field: "params.lot" },
    { what: "recall A's product", method: "POST", url: `/v1/products/${a.gtin}/recalls`, payload: { reason: "sabotage" }, status: 404, code: "NOT_FOUND", field: "params.gtin" },
    { what: "generate items for A's lot", method: "POST", url: `${lotPath}/items`, payload: { count: 1 }, status: 404, code: "NOT_FOUND", field: "params.lot" },
    { what: "read A's items job", method: "GET", url: `/v1/jobs/${a.jobId}`, status: 404, code: "NOT_FOUND", field: "params.jobId" },
    { what: "download A's items (serials and PINs)", method: "GET", url: `/v1/jobs/${a.jobId}/items?format=csv`, status: 404, code: "NOT_FOUND", field: "params.jobId" },
    { what: "read A's capture job", method: "GET", url: `/epcis/capture/${a.captureId}`, status: 404, code: "NOT_FOUND", field: "params.captureId" },
    { what: "notarize a generic record on A's item", method: "POST", url: "/v1/records", payload: { kind: "evidence.chat", subject: item, payload: { said: "mine" } }, status: 403, code: "FORBIDDEN", field: "body.subject" },
    { what: "query A's events in the EPCIS repository", method: "GET", url: `/epcis/events?MATCH_anyEPC=${encodeURIComponent(item)}`, status: 200, code: "none of A's events", field: null },
  ];
}

t.test("the authorization matrix: every route × every caller answers as the route declares", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const { keys, params, samples, a } = await fixtures(h);

  // HEAD answers as its GET (same route options, same hooks): its GET stands for it, with or
  // without the trailing slash Fastify adds a twin for under a prefix.
  const bare = (url: string) => url.replace(/(.)\/$/, "$1");
  const routes = h.app.routeAccess.filter((r) => !(r.method === "HEAD" && h.app.routeAccess.some((g) => g.method === "GET" && bare(g.url) === bare(r.url))));
  t.ok(routes.length >= 10, `${routes.length} routes`);

  const paramNames = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)|(\*)/g)].map((m) => (m[1] ?? m[2]) as string);
  const urlWith = async (url: string, pick: "value" | "absent") => {
    let out = url;
    for (const name of paramNames(url)) {
      const sample = params[name];
      if (!sample) throw new Error(`${url} has the path parameter ${name}: add a sample value for it to \`params\` in test/plugins/authorization-matrix.test.ts`);
      out = out.replace(name === "*" ? "*" : `:${name}`, encodeURIComponent(await sample[pick]()));
    }
    return out;
  };
  const send = async (route: RouteAccess, caller: Caller, pick: "value" | "absent" = "value") => {
    const sample = samples[`${route.method} ${route.url}`]?.(caller);
    const key = keys[caller];
    // A signed-in page reads its key from the session cookie (as set by its sign-in form), any other route from the header.
    const session = route.access !== "public" ? route.access.session : undefined;
    const credentials = !key ? {} : session ? { cookie: `${session.cookie}=${key.token}` } : bearer(key);
    return h.app.inject({
      method: route.method as "GET",
      url: (await urlWith(route.url, pick)) + (sample?.query ?? ""),
      headers: { ...credentials, ...sample?.headers },
      ...(sample?.payload === undefined ? {} : { payload: sample.payload }),
    });
  };

  const rows: Array<{ route: RouteAccess; cells: Cell[] }> = [];
  for (const route of routes) {
    const name = `${route.method} ${route.url}`;
    const hasSample = samples[name] !== undefined;
    const cells: Cell[] = [];
    for (const caller of CALLERS) {
      const expected = expectedCell(route.access, caller, paramNames(route.url).length > 0);
      const res = await send(route, caller);
      const error = res.statusCode >= 400 && res.headers["content-type"]?.toString().startsWith("application/json") ? (res.json() as { error: { code: string; message: string; field?: string } }).error : null;
      const cell = `${name} as ${caller}`;
      const signIn = route.access !== "public" ? route.access.session?.signIn : undefined;
      if (expected === "sign-in") {
        t.equal(res.statusCode, 303, `${cell}: 303`);
        t.equal(res.headers.location, signIn, `${cell}: to the sign-in form`);
      } else if (expected === 401) {
        t.equal(res.statusCode, 401, `${cell}: 401`);
        t.match(error, { code: "UNAUTHENTICATED", field: "headers.authorization" }, `${cell}: names the header`);
      } else if (expected === 403) {
        t.equal(res.statusCode, 403, `${cell}: 403`);
        t.equal(error?.code, "FORBIDDEN", `${cell}: FORBIDDEN`);
      } else if (expected === 404) {
        const absent = await send(route, caller, "absent");
        t.equal(res.statusCode, 404, `${cell}: 404`);
        t.same({ ...error, requestId: undefined }, { ...absent.json().error, requestId: undefined }, `${cell}: the same answer as for something that does not exist`);
      } else if (hasSample || !route.method.startsWith("P")) {
        t.ok(res.statusCode >= 200 && res.statusCode < 400, `${cell}: admitted (${res.statusCode})`);
        if (signIn) t.not(res.headers.location, signIn, `${cell}: not sent to sign in`);
      } else {
        // No sample body: a 400 or 415 from validation shows the request got past authorization.
        t.ok((res.statusCode >= 200 && res.statusCode < 400) || res.statusCode === 400 || res.statusCode === 415, `${cell}: admitted (${res.statusCode})`);
      }
      cells.push(expected);
    }
    rows.push({ route, cells });
  }

  // Tenancy: merchant B, with a key and a prefix of its own, against what merchant A holds.
  const tenancy = tenancyCases(a);
  for (const c of tenancy) {
    const res = await h.app.inject({ method: c.method as "GET", url: c.url, headers: bearer(keys["merchant B"]!), ...(c.payload === undefined ? {} : { payload: c.payload }) });
    const name = `merchant B: ${c.what}`;
    t.equal(res.statusCode, c.status, `${name}: ${c.status} (${res.body.slice(0, 200)})`);
    if (c.field === null) {
      t.same(res.json().epcisBody.queryResults.resultsBody.eventList, [], `${name}: ${c.code}`);
    } else {
      t.match(res.json().error, { code: c.code, field: c.field }, `${name}: ${c.code} naming ${c.field}`);
    }
  }

  const document = matrixDocument(rows, tenancy);
  const onDisk = await readFile(DOC_PATH, "utf8").catch(() => "");
  if (UPDATE && onDisk !== document) await writeFile(DOC_PATH, document);
  else t.equal(onDisk, document, "docs/authorization.md is this table: after changing a route's access, run TRACEMARK_UPDATE_DOCS=1 npx tap test/plugins/authorization-matrix.test.ts and commit the file");
});

t.test("a route that declares no access keeps the app from starting, saying what to add", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const app = await buildApp({ config: h.config, database: h.database, chain: h.chain });
  app.get("/v1/undeclared", async () => ({ ok: true }));
  app.get("/v1/declared", { config: { access: "public" } }, async () => ({ ok: true }));
  await t.rejects(async () => void (await app.ready()), { message: /routes without a declared access: GET \/v1\/undeclared; HEAD \/v1\/undeclared\. add `config: \{ access: "public" \}`/ });
});

t.test("a signed-in page takes its key from the session cookie only, never from the Authorization header", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "header mediator" });
  const byHeader = await h.app.inject({ method: "GET", url: "/cases", headers: bearer(mediator) });
  t.equal(byHeader.statusCode, 303, "a key in the header is not a session");
  t.equal(byHeader.headers.location, "/cases/sign-in", "so the page sends to its sign-in form");
  const byCookie = await h.app.inject({ method: "GET", url: "/cases", headers: { cookie: `tm_cases=${mediator.token}` } });
  t.equal(byCookie.statusCode, 200, "the same key in the session cookie opens the page");
  await revokeApiKey(h.database.db, mediator.keyId);
  await new Promise((r) => setTimeout(r, h.config.KEY_CACHE_MS + 50));
  const revoked = await h.app.inject({ method: "GET", url: "/cases", headers: { cookie: `tm_cases=${mediator.token}` } });
  t.equal(revoked.headers.location, "/cases/sign-in", "and once the key is revoked the session is signed out");
});
