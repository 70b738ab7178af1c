// Public notarization on PostgreSQL: a keyless client sends a file's SHA-256, gets the record's id
// and a pending receipt, follows it by id to final through the normal pipeline, and the receipt
// verifies against the chain with the file. Only the hash and the labels it gave are kept; only
// public notarizations are readable by id; the limits per client and for everyone hold.
import { createHash, randomUUID } from "node:crypto";
import t from "tap";
import { serviceTrust } from "../../src/chain/trust.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { verifyReceipt } from "../../src/verifier/index.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { silentLog } from "../support/pipeline.ts";

const file = Buffer.from("Chat log of the live stream, 2026-11-11 20:14: host says 100% mulberry silk.\n");
const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

t.test("public notarization of a file's hash, followed to final by id", async (t) => {
  const h = await buildTestApp({ BATCH_INTERVAL_MS: "100", PUBLIC_NOTARIZE_RATE_LIMIT: "1000", PUBLIC_NOTARIZE_GLOBAL_LIMIT: "1000" });
  t.teardown(h.close);
  const post = (payload: object, remoteAddress = "203.0.113.1") => h.app.inject({ method: "POST", url: "/v1/public/records", remoteAddress, payload });
  const get = (id: string) => h.app.inject({ method: "GET", url: `/v1/public/records/${id}` });

  const res = await post({ kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", fileName: "chat-2026-11-11.txt", size: file.length });
  t.equal(res.statusCode, 202, res.body);
  const accepted = res.json();
  t.match(accepted, { kind: "consumer.file", status: "accepted", fileName: "chat-2026-11-11.txt", size: file.length, links: { self: `/v1/public/records/${accepted.id}`, page: `/r/${accepted.id}` } });
  const envelope = accepted.receipt.record.envelope;
  t.match(envelope, { kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", submitter: "key:public", prev: null });
  t.match(envelope.subject, /^urn:tracemark:consumer:[0-9a-f-]{36}$/, "a subject of its own");
  t.notOk("fileName" in envelope || "size" in envelope, "the labels are not part of the record");
  t.equal(accepted.receipt.inclusion, null);

  const second = (await post({ kind: "consumer.text", contentHash: sha256("我在直播间下单了"), mediaType: "text/plain; charset=utf-8" })).json();
  t.not(second.receipt.record.envelope.subject, envelope.subject, "no chain ties one consumer's records to another's");
  t.match(second, { fileName: null, size: null });

  await t.test("followed by id, it reaches final through the normal pipeline, and verifies with the file against the chain", async (t) => {
    const pipeline = startPipeline(h.config, h.database, h.chain, silentLog);
    t.teardown(() => pipeline.stop());
    let view = (await get(accepted.id)).json();
    const seen = new Set<string>([view.status]);
    for (const until = Date.now() + 90_000; view.status !== "final" && Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      view = (await get(accepted.id)).json();
      seen.add(view.status);
    }
    t.equal(view.status, "final", `statuses seen: ${[...seen].join(" → ")}`);
    t.equal(view.receipt.anchor.status, "final");
    const report = await verifyReceipt(view.receipt, { provider: h.chain.provider, trust: serviceTrust(h.chain).anchors, content: file });
    t.equal(report.status, "valid", report.summary);
    const changed = Buffer.from(file);
    changed[0]! ^= 1;
    const wrong = await verifyReceipt(view.receipt, { provider: h.chain.provider, trust: serviceTrust(h.chain).anchors, content: changed });
    t.equal(wrong.status, "invalid");
    t.equal(wrong.steps.find((s) => s.ok === false)?.step, "contentHash", "a one-byte change fails the contentHash step");
  });

  await t.test("only public notarizations are readable by id: anything else is a 404 like an id nobody has", async (t) => {
    const absent = await get(randomUUID());
    t.equal(absent.statusCode, 404);
    t.match(absent.json().error, { code: "NOT_FOUND", field: "params.publicRecordId" });
    const merchant = await merchantKey(h.database);
    const own = (await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.chat", subject: "order:private", payload: { phone: "13800000000" } } })).json();
    const private_ = await get(own.id);
    t.equal(private_.statusCode, 404, "a merchant's private record");
    t.same({ ...private_.json().error, requestId: null }, { ...absent.json().error, requestId: null }, "the same answer");
    t.equal((await get("not-a-uuid")).statusCode, 400);
  });

  await t.test("the body carries only a hash and labels: anything else is a 400 naming the field", async (t) => {
    const cases: Array<[object, string]> = [
      [{ kind: "evidence.chat", contentHash: sha256(file), mediaType: "text/plain" }, "body.kind"],
      [{ kind: "consumer.file", contentHash: "XYZ", mediaType: "text/plain" }, "body.contentHash"],
      [{ kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", payload: { said: "hi" } }, "body.payload"],
      [{ kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", content: file.toString("base64") }, "body.content"],
      [{ kind: "consumer.file", contentHash: sha256(file) }, "body.mediaType"],
      [{ kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", size: -1 }, "body.size"],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      t.equal(res.statusCode, 400, `${field}: 400`);
      t.equal(res.json().error.field, field);
    }
    const big = await h.app.inject({ method: "POST", url: "/v1/public/records", payload: { kind: "consumer.file", contentHash: sha256(file), mediaType: "text/plain", fileName: "x".repeat(10_000) } });
    t.equal(big.statusCode, 413, "a body past 4 KiB is refused before it is parsed");
  });
});

t.test("public notarization is limited per client and for everyone together", async (t) => {
  const h = await buildTestApp({ PUBLIC_NOTARIZE_RATE_LIMIT: "3", PUBLIC_NOTARIZE_GLOBAL_LIMIT: "5" });
  t.teardown(h.close);
  const post = (remoteAddress: string) =>
    h.app.inject({ method: "POST", url: "/v1/public/records", remoteAddress, payload: { kind: "consumer.file", contentHash: sha256(randomUUID()), mediaType: "application/octet-stream" } });
  for (let i = 0; i < 3; i++) t.equal((await post("198.51.100.1")).statusCode, 202);
  const client = await post("198.51.100.1");
  t.equal(client.statusCode, 429, "a fourth from one client within the minute");
  t.match(client.json().error, { code: "RATE_LIMITED", message: /from your address: at most 3 a minute/ });
  t.ok(Number(client.headers["retry-after"]) > 0, "Retry-After");
  for (let i = 0; i < 2; i++) t.equal((await post("198.51.100.2")).statusCode, 202, "another client is not held back by the first");
  const everyone = await post("198.51.100.3");
  t.equal(everyone.statusCode, 429, "the sixth from anyone within the minute");
  t.match(everyone.json().error, { code: "RATE_LIMITED", message: /at most 5 public notarizations a minute from everyone together/ });
  t.ok(Number(everyone.headers["retry-after"]) > 0, "Retry-After");
});
