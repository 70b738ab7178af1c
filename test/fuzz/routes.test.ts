// Seeded fuzzing of every registered route (read from app.routeTable, so a new route is fuzzed
// without editing this file), with every kind of key and none.
//
// The rule every response must keep:
// - never a 5xx, never a hang (each request has FUZZ_REQUEST_TIMEOUT_MS);
// - a 4xx is the one error shape { error: { code, message, field?, requestId } } and names the
//   `field` (a body path, a param, a query key, a header, "url" or "body"), except where no field
//   applies: 403 (the key is fine, its role is not), 404 (no such route, or nothing visible under
//   that id), 429 (rate limit), and a 405/404 for a method a path does not have.
// Replay a run with FUZZ_SEED=<seed>; FUZZ_REQUESTS sets how many inject requests (default 10,000).
import type { AddressInfo } from "node:net";
import t from "tap";
import { revokeApiKey } from "../../src/auth/api-keys.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { multipartBody, multipartType } from "../support/multipart.ts";
import { rawExchange } from "../support/raw-http.ts";
import { gtinUnder } from "../support/trace.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { body, CONTENT_TYPES, fileForm, multipartForm, paramValue, pick, queryString, randomBytes } from "./mutations.ts";

const SEED = Number(process.env["FUZZ_SEED"] ?? 20_261_123);
const REQUESTS = Number(process.env["FUZZ_REQUESTS"] ?? 10_000);
const RAW_REQUESTS = Number(process.env["FUZZ_RAW_REQUESTS"] ?? 600);
const REQUEST_TIMEOUT_MS = Number(process.env["FUZZ_REQUEST_TIMEOUT_MS"] ?? 10_000);
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const NO_FIELD_STATUSES = new Set([403, 404, 405, 429]);

interface Outcome {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${REQUEST_TIMEOUT_MS} ms: ${what}`)), REQUEST_TIMEOUT_MS).unref())]);
}

/** Why `outcome` breaks the rule above, or undefined. */
function breach(method: string, outcome: Outcome): string | undefined {
  if (outcome.status >= 500) return `a ${outcome.status}`;
  if (outcome.status < 400 || method === "HEAD") return undefined;
  let parsed: { error?: { code?: unknown; message?: unknown; field?: unknown; requestId?: unknown } };
  try {
    parsed = JSON.parse(outcome.body) as typeof parsed;
  } catch {
    return "a 4xx whose body is not JSON";
  }
  const error = parsed.error;
  if (typeof error?.code !== "string" || typeof error.message !== "string") return "a 4xx without error.code and error.message";
  if (typeof error.requestId !== "string") return "a 4xx without error.requestId";
  if (!NO_FIELD_STATUSES.has(outcome.status) && typeof error.field !== "string") return `a ${outcome.status} that names no field`;
  return undefined;
}

t.test("fuzzing every route", async (t) => {
  t.comment(`FUZZ_SEED=${SEED} (replay with this), ${REQUESTS} inject requests, ${RAW_REQUESTS} raw socket requests`);
  const h = await buildTestApp({ PUBLIC_RATE_LIMIT: "1000000", PUBLIC_NOTARIZE_RATE_LIMIT: "1000000", PUBLIC_NOTARIZE_GLOBAL_LIMIT: "1000000", VERIFY_UPLOAD_MAX_BYTES: String(1024 * 1024), BODY_TIMEOUT_MS: "2000" });
  t.teardown(h.close);
  const random = seededRandom(SEED);

  const merchant = await merchantKey(h.database, "Fuzz A");
  const mediator = (await h.app.inject({ method: "POST", url: "/v1/admin/keys", headers: bearer(h.admin), payload: { role: "mediator" } })).json() as { token: string; keyId: string };
  const revoked = await merchantKey(h.database, "Fuzz B");
  await revokeApiKey(h.database.db, revoked.keyId);
  const accepted = (await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.chat", subject: "stream:fuzz", payload: { said: "hi" } } })).json() as { id: string; receipt: unknown };
  const stream = (await h.app.inject({ method: "POST", url: "/v1/streams", headers: bearer(merchant), payload: { platform: "Douyin", roomUrl: "https://live.example/fuzz", host: "Fuzz host" } })).json() as { stream: { id: string } };
  // An order of the fuzz merchant's own item, so the order routes reach their services.
  await h.app.inject({ method: "POST", url: `/v1/admin/merchants/${merchant.merchantId}/prefixes`, headers: bearer(h.admin), payload: { prefix: "952077" } });
  const fuzzGtin = gtinUnder("952077", 1);
  const asMerchant = (url: string, payload: object) => h.app.inject({ method: "POST", url, headers: bearer(merchant), payload });
  await asMerchant("/v1/products", { gtin: fuzzGtin, name: "Fuzz tea" });
  await asMerchant(`/v1/products/${fuzzGtin}/lots`, { lot: "FUZZ" });
  const job = (await asMerchant(`/v1/products/${fuzzGtin}/lots/FUZZ/items`, { count: 1 })).json() as { id: string; links: { self: string } };
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 20))) {
    status = (await h.app.inject({ method: "GET", url: job.links.self, headers: bearer(merchant) })).json().status;
  }
  const { serial } = await h.database.db.selectFrom("items").select("serial").where("job_id", "=", job.id).executeTakeFirstOrThrow();
  const order = (await asMerchant("/v1/orders", { orderRef: "FUZZ-1", placedAt: "2026-11-11T12:00:00Z", currency: "CNY", total: "1.00", items: [{ gtin: fuzzGtin, serial, price: "1.00" }], buyer: { id: "fuzz" } })).json() as { orderId: string; record: { id: string } };
  const afterSales = (await asMerchant(`/v1/orders/${order.orderId}/after-sales`, { type: "refund", reason: "fuzz", requestedAt: "2026-11-12T00:00:00Z" })).json() as { afterSalesId: string };
  const fileRef = { sha256: "ab".repeat(32), mediaType: "image/png" };
  const keys: Array<[string, Record<string, string>]> = [
    ["none", {}],
    ["admin", bearer(h.admin)],
    ["merchant", bearer(merchant)],
    ["mediator", bearer(mediator)],
    ["revoked", bearer(revoked)],
    ["garbage", { authorization: pick(random, ["Bearer", "Bearer tmk_", "Basic abc", `Bearer ${"x".repeat(5_000)}`]) }],
    ["x-api-key", { "x-api-key": merchant.token }],
  ];
  const validBodies: Record<string, unknown> = {
    "POST /v1/admin/merchants": { name: "Fuzz shop" },
    "POST /v1/admin/keys": { role: "merchant", merchantId: merchant.merchantId, label: "fuzz" },
    "POST /v1/records": { kind: "evidence.chat", subject: "stream:fuzz", payload: { said: "hi" }, prev: null },
    "POST /v1/records/batch": { records: [{ kind: "evidence.chat", subject: "stream:fuzz", contentHash: "a".repeat(64), mediaType: "image/png" }] },
    "POST /v1/verify": { receipt: accepted.receipt, content: Buffer.from('{"said":"hi"}').toString("base64") },
    "POST /v1/verify/upload": { receipt: accepted.receipt },
    "POST /v1/streams": { platform: "Douyin", roomUrl: "https://live.example/fuzz", host: "Fuzz host", plannedProducts: ["9520123000427"], public: true },
    "POST /v1/streams/:streamId/claims": { gtin: "9520123000427", quote: "100% mulberry silk", price: { amount: "199.00", currency: "CNY" }, promises: ["7-day returns"], at: "2026-11-23T20:00:00+08:00", screenshot: { sha256: "c".repeat(64), mediaType: "image/png" } },
    "POST /v1/streams/:streamId/segments": { rendition: "main", segments: [{ mediaSequence: 0, uri: "seg0.ts", duration: 2, bytes: 1, sha256: "d".repeat(64), programDateTime: "2026-11-23T20:00:00.000Z" }] },
    "POST /v1/streams/:streamId/end": { rendition: "main", playlist: { sha256: "e".repeat(64), bytes: 1, segments: 1, firstMediaSequence: 0, lastMediaSequence: 0 } },
    "POST /v1/orders": { orderRef: "FUZZ-2", placedAt: "2026-11-11T12:00:00Z", currency: "CNY", total: "1.00", items: [{ gtin: fuzzGtin, serial, price: "1.00" }], buyer: { id: "fuzz", phone: "+86 1" } },
    "POST /v1/orders/:orderId/payments": { amount: "1.00", currency: "CNY", method: "card", reference: "fuzz", paidAt: "2026-11-11T12:01:00Z", payer: { account: "a" } },
    "POST /v1/orders/:orderId/chats": { messages: [{ from: "buyer", at: "2026-11-11T12:02:00Z", text: "silk?" }] },
    "POST /v1/orders/:orderId/files": { purpose: "screenshot", file: fileRef },
    "POST /v1/orders/:orderId/after-sales": { type: "return", reason: "fuzz", requestedAt: "2026-11-12T00:00:00Z", evidence: [fileRef] },
    "POST /v1/orders/:orderId/after-sales/:afterSalesId/updates": { step: "response", text: "ok", at: "2026-11-12T01:00:00Z" },
    "POST /v1/orders/:orderId/records/:recordId/disclosure": { fields: ["total"] },
    "POST /v1/orders/:orderId/erasure": { reason: "fuzz" },
    "POST /v1/public/records": { kind: "consumer.file", contentHash: "b".repeat(64), mediaType: "video/mp4", fileName: "unboxing.mp4", size: 2_147_483_648 },
    "POST /v1/public/claims": { uri: "https://id.gs1.org/01/09520123456788/21/FUZZ1", pin: "ABCD1234" },
    "POST /claim": { uri: "https://id.gs1.org/01/09520123456788/21/FUZZ1", pin: "ABCD1234" },
    "POST /cases/sign-in": { key: "tmk_fuzz" },
    "POST /cases/sign-out": { csrf: "fuzz" },
    "POST /cases/:caseId/decision": { csrf: "fuzz", outcome: "refund", reasons: "fuzz" },
    "POST /rpc": { jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: h.chain.contractAddress, data: "0x" }, "latest"] },
  };
  // An evidence file and a qualification of the merchant's, so their routes are reached with real ids.
  const form = multipartBody([{ name: "file", filename: "licence.pdf", type: "application/pdf", data: "fuzz licence" }]);
  const file = (await h.app.inject({ method: "POST", url: "/v1/evidence/files", headers: { ...bearer(merchant), "content-type": multipartType() }, payload: form })).json().file as { id: string; sha256: string };
  validBodies["POST /v1/qualifications"] = { type: "food-permit", number: "JY1", validFrom: "2024-01-01", validUntil: "2026-12-31", file: { id: file.id } };
  validBodies["POST /v1/admin/qualifications/:qualificationId/decision"] = { decision: "approved", reason: "fuzz" };
  const qualification = (await h.app.inject({ method: "POST", url: "/v1/qualifications", headers: bearer(merchant), payload: validBodies["POST /v1/qualifications"] as object })).json().qualification as { id: string };
  const publicRecord = (await h.app.inject({ method: "POST", url: "/v1/public/records", payload: validBodies["POST /v1/public/records"] as object })).json() as { id: string };
  // A case of the merchant's, its mediator assigned, with one piece of evidence (issue 11).
  const fuzzCase = (await h.app.inject({ method: "POST", url: "/v1/cases", headers: bearer(merchant), payload: { orderRef: "F-1", summary: "fuzz case" } })).json() as { case: { id: string } };
  await h.app.inject({ method: "POST", url: `/v1/cases/${fuzzCase.case.id}/mediator`, headers: bearer(h.admin), payload: { keyId: mediator.keyId } });
  const fuzzEvidence = (await h.app.inject({ method: "POST", url: `/v1/cases/${fuzzCase.case.id}/evidence`, headers: bearer(merchant), payload: { recordId: accepted.id } })).json() as { id: string };
  validBodies["POST /v1/cases/consumer"] = { merchantId: merchant.merchantId, orderRef: "F-2", summary: "fuzz" };
  validBodies["POST /v1/cases"] = { merchantId: merchant.merchantId, orderRef: "F-3", summary: "fuzz" };
  validBodies["POST /v1/cases/:caseId/evidence"] = { recordId: accepted.id, note: "fuzz" };
  validBodies["POST /v1/cases/:caseId/evidence/:evidenceId/withdrawal"] = { reason: "fuzz" };
  validBodies["POST /v1/cases/:caseId/statements"] = { text: "fuzz" };
  validBodies["POST /v1/cases/:caseId/mediator"] = { keyId: mediator.keyId };
  validBodies["POST /v1/cases/:caseId/decision"] = { outcome: "refund", reasons: "fuzz" };
  const validParams = [accepted.id, merchant.keyId, "0123456789ab", stream.stream.id, order.orderId, order.record.id, afterSales.afterSalesId, file.sha256, qualification.id, publicRecord.id, fuzzCase.case.id, fuzzEvidence.id];
  // Revoking keys and creating merchants are fine; revoking the fuzz's own admin key is refused (last admin).
  const routes = h.app.routeTable.filter((r) => r.url !== "*");
  t.ok(routes.length >= 10, `${routes.length} routes to fuzz`);

  const byStatus = new Map<number, number>();
  const breaches: string[] = [];
  const count = (status: number) => byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const started = Date.now();
  const slowest: Array<[number, string]> = [];

  for (let i = 0; i < REQUESTS; i++) {
    const route = pick(random, routes);
    const method = random() < 0.85 ? route.method : pick(random, METHODS);
    const path = route.url.replace(/:(\w+)/g, () => paramValue(random, validParams)).replace(/\*$/, () => pick(random, ["index.css", "..%2F..%2Fpackage.json", "%00", "x".repeat(300)]));
    const url = path + queryString(random);
    const [keyName, auth] = pick(random, keys);
    const headers: Record<string, string> = { ...auth };
    if (random() < 0.3) headers["origin"] = pick(random, ["https://shop.example", "null", "\u0000"]);
    if (random() < 0.2) headers["idempotency-key"] = pick(random, ["k1", "\u0000", "x".repeat(300), "名"]);
    let payload: string | Buffer | undefined;
    if (method !== "GET" && method !== "HEAD" && random() < 0.95) {
      const drawn = body(random, validBodies[`${route.method} ${route.url}`] ?? {});
      const form = route.url === "/v1/verify/upload" ? () => multipartForm(random, validBodies["POST /v1/verify/upload"]) : route.url === "/v1/evidence/files" ? () => fileForm(random) : null;
      payload = form && random() < 0.6 ? form() : drawn.payload;
      const contentType = form && Buffer.isBuffer(payload) ? pick(random, CONTENT_TYPES) : drawn.contentType;
      if (contentType !== undefined) headers["content-type"] = contentType;
    }
    const what = `#${i} ${method} ${url.slice(0, 200)} key=${keyName} content-type=${headers["content-type"] ?? "-"}`;
    const sent = Date.now();
    try {
      const res = await withTimeout(h.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) }), what);
      count(res.statusCode);
      const problem = breach(method, { status: res.statusCode, body: res.body, headers: res.headers });
      if (problem) breaches.push(`${what}: ${problem}: ${res.body.slice(0, 300)}`);
    } catch (error) {
      count(0);
      breaches.push(`${what}: ${String(error)}`);
    }
    slowest.push([Date.now() - sent, what]);
    if (slowest.length > 20) slowest.sort(([a], [b]) => b - a).pop();
  }
  for (const [ms, what] of slowest.sort(([a], [b]) => b - a).slice(0, 5)) t.comment(`slow: ${ms} ms ${what}`);
  t.comment(`inject: ${REQUESTS} requests in ${Date.now() - started} ms; by status: ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}`);

  // The parser paths `inject` skips: bytes on a real loopback socket, broken HTTP and multipart.
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const rawByStatus = new Map<string, number>();
  const rawStarted = Date.now();
  for (let i = 0; i < RAW_REQUESTS; i++) {
    const head = rawRequest(random, validBodies["POST /v1/verify/upload"]);
    const res = await rawExchange(port, { head, limitMs: REQUEST_TIMEOUT_MS, settleMs: 100 });
    const key = res.status === undefined ? (res.closedByServer ? "closed without an answer" : "hang") : String(res.status);
    rawByStatus.set(key, (rawByStatus.get(key) ?? 0) + 1);
    const what = `raw #${i} ${JSON.stringify(head.toString("latin1").slice(0, 120))}`;
    if (!res.closedByServer && res.status === undefined) breaches.push(`${what}: no answer and still open after ${REQUEST_TIMEOUT_MS} ms`);
    if (res.status !== undefined && res.status >= 500) breaches.push(`${what}: a ${res.status}: ${res.response.slice(0, 300)}`);
    if (res.status !== undefined && res.status >= 400 && !/"error":\{"code":"[A-Z_]+"/.test(res.response)) breaches.push(`${what}: a ${res.status} not in the error shape: ${res.response.slice(0, 300)}`);
  }
  t.comment(`raw socket: ${RAW_REQUESTS} requests in ${Date.now() - rawStarted} ms; by status: ${JSON.stringify(Object.fromEntries(rawByStatus))}`);

  const fiveHundreds = [...byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
  t.equal(fiveHundreds, 0, "no 5xx");
  t.equal(byStatus.get(0) ?? 0, 0, "no hangs");
  for (const line of breaches.slice(0, 20)) t.comment(`breach: ${line}`);
  t.same(breaches.slice(0, 20), [], `every response keeps the rule (${breaches.length} breaches; FUZZ_SEED=${SEED})`);
});

/** One request as raw bytes: well-formed, or broken in the request line, headers, or body framing. */
function rawRequest(random: ReturnType<typeof seededRandom>, valid: unknown): Buffer {
  const form = multipartForm(random, valid);
  const boundary = "----tracemark-test-boundary";
  return pick(random, [
    () => Buffer.concat([Buffer.from(`POST /v1/verify/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${form.length}\r\nConnection: close\r\n\r\n`), form]),
    () => Buffer.concat([Buffer.from(`POST /v1/verify/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${form.length.toString(16)}\r\n`), form, Buffer.from("\r\n0\r\n\r\n")]),
    () => Buffer.concat([Buffer.from(`POST /v1/verify/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n`), form]),
    () => Buffer.from(`POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\nConnection: close\r\n\r\n{}`),
    () => Buffer.from(`POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}`),
    () => Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\nConnection: close\r\n\r\n`, "latin1"),
    () => Buffer.from(`GET /${"a".repeat(random.int(10_000, 40_000))} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    () => Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(20_000)}\r\nConnection: close\r\n\r\n`),
    () => Buffer.from(`BREW /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    () => Buffer.from(`GET /v1/records/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
    () => Buffer.from(`GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`),
    () => Buffer.from(`GET  /healthz  HTTP/1.1\r\n\r\n`),
    () => Buffer.from(`GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n`),
    () => randomBytes(random, random.int(1, 2_000)),
    () => Buffer.concat([Buffer.from(`POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Type: ${pick(random, CONTENT_TYPES)}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n`), randomBytes(random, 2)]),
  ])();
}
