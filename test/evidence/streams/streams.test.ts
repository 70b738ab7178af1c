// Live streams through the API: open, claims, segments chained per stream with gaps and
// duplicates detected, the end with the final playlist, and what other callers see.
import { createHash, randomUUID } from "node:crypto";
import t from "tap";
import { issueApiKey } from "../../../src/auth/api-keys.ts";
import { claimsAboutProduct } from "../../../src/evidence/streams/claims.ts";
import { contentHashOfJson, recordHash, type Envelope, type JsonValue } from "../../../src/merkle/index.ts";
import { bearer, buildTestApp, merchantKey } from "../../support/app.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");
const segment = (n: number, body = `segment ${n}`) => ({ mediaSequence: n, uri: `seg${n}.ts`, duration: 2, bytes: Buffer.byteLength(body), sha256: sha(body), programDateTime: `2026-11-23T12:00:0${n % 10}.000+08:00` });

t.test("a stream: opened, claimed about, its segments notarized in a chain, then ended", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);
  const a = await merchantKey(h.database, "Silk Road Live");
  const b = await merchantKey(h.database, "Other Shop");
  const mediator = await issueApiKey(h.database.db, { role: "mediator" });
  const call = async (key: { token: string }, method: "GET" | "POST", url: string, payload?: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method, url, headers: { ...bearer(key), ...headers }, ...(payload ? { payload } : {}) });

  const opened = await call(a, "POST", "/v1/streams", { platform: "Douyin", roomUrl: "https://live.douyin.com/42", host: "Lin", plannedProducts: ["6905678000014"], public: true });
  t.equal(opened.statusCode, 201, opened.body);
  const stream = opened.json().stream;
  t.match(stream, { subject: `urn:tracemark:stream:${stream.id}`, status: "live", plannedProducts: ["06905678000014"], public: true });
  t.equal(opened.json().record.receipt.record.envelope.prev, null, "the stream's first record starts its chain");

  t.test("claims are records on the stream's chain; a public stream's are listed for the product", async (t) => {
    const res = await call(a, "POST", `/v1/streams/${stream.id}/claims`, { gtin: "6905678000014", quote: "这是100%桑蚕丝", price: { amount: "199.00", currency: "CNY" }, promises: ["100% mulberry silk", "7-day no-reason returns"], at: "2026-11-23T20:15:03+08:00" });
    t.equal(res.statusCode, 201, res.body);
    const envelope = res.json().record.receipt.record.envelope as Envelope;
    t.equal(envelope.kind, "stream.claim");
    t.equal(envelope.prev, opened.json().record.receipt.record.recordHash, "chained to the stream's opening");
    const listed = await claimsAboutProduct(h.database.db, "06905678000014");
    t.equal(listed.length, 1);
    t.match(listed[0], { quote: "这是100%桑蚕丝", at: "2026-11-23T12:15:03.000Z", host: "Lin", platform: "Douyin" });
    t.equal(contentHashOfJson(JSON.parse(listed[0]!.payload) as JsonValue), listed[0]!.receipt.record.envelope.contentHash, "the listed payload is what the record hashed");
    t.equal((await call(b, "POST", `/v1/streams/${stream.id}/claims`, { gtin: "6905678000014", quote: "x" })).statusCode, 404, "another merchant cannot claim in it");
    t.equal((await call(mediator, "GET", `/v1/streams/${stream.id}/claims`)).json().claims.length, 1, "a mediator reads them");
    t.equal((await call(b, "GET", `/v1/streams/${stream.id}/claims`)).statusCode, 404, "another merchant does not see them");
  });

  t.test("a private stream's claims are never listed on the product", async (t) => {
    const priv = (await call(a, "POST", "/v1/streams", { platform: "Taobao Live", roomUrl: "https://tb.cn/x", host: "Mei" })).json().stream;
    t.equal((await call(a, "POST", `/v1/streams/${priv.id}/claims`, { gtin: "6905678000014", quote: "private words" })).statusCode, 201);
    t.notOk((await claimsAboutProduct(h.database.db, "6905678000014")).some((c) => c.quote === "private words"));
  });

  t.test("segments: each a record whose contentHash is the segment's SHA-256, chained; resent ones are duplicates", async (t) => {
    const first = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(1), segment(0)] }, { "idempotency-key": "k-0-1" });
    t.equal(first.statusCode, 202, first.body);
    const [s1, s0] = first.json().segments;
    t.match([s1.outcome, s0.outcome], ["created", "created"]);
    const e0 = s0.receipt.record.envelope as Envelope;
    const e1 = s1.receipt.record.envelope as Envelope;
    t.equal(e0.contentHash, sha("segment 0"));
    t.same(e0["segment"], { rendition: "main", mediaSequence: 0, uri: "seg0.ts", duration: 2, bytes: 9, programDateTime: "2026-11-23T12:00:00.000+08:00" });
    t.equal(e1.prev, recordHash(e0), "segment 1 follows segment 0 in the chain (media sequence order)");
    const again = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(1), segment(0)] }, { "idempotency-key": "k-0-1" });
    t.equal(again.statusCode, 202);
    t.equal(again.headers["idempotent-replayed"], "true");
    t.same(again.json().segments.map((s: { outcome: string; id: string }) => [s.outcome, s.id]), [["duplicate", s1.id], ["duplicate", s0.id]], "the same records, not new ones");
    const reused = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(2)] }, { "idempotency-key": "k-0-1" });
    t.equal(reused.statusCode, 409);
    t.equal(reused.json().error.field, "headers.idempotency-key");
    const altered = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(1, "other bytes")] });
    t.equal(altered.statusCode, 409, "the same number with other bytes is refused");
    t.equal(altered.json().error.field, "body.segments[0].sha256");
    const twice = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(5), segment(5)] });
    t.equal(twice.statusCode, 400);
    t.equal(twice.json().error.field, "body.segments[1].mediaSequence");
    // 2 and 3 never come; 4 arrives after 5.
    t.equal((await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(5)] })).statusCode, 202);
    t.equal((await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(4)] })).statusCode, 202);
    const report = (await call(mediator, "GET", `/v1/streams/${stream.id}/segments`)).json();
    t.match(report.renditions, [{ rendition: "main", count: 4, firstMediaSequence: 0, lastMediaSequence: 5, gaps: [{ from: 2, to: 3, missing: 2 }], outOfOrder: [4] }]);
    t.same(report.segments.map((s: { mediaSequence: number }) => s.mediaSequence), [0, 1, 4, 5]);
    t.equal((await call(b, "GET", `/v1/streams/${stream.id}/segments`)).statusCode, 404);
    t.equal((await call(b, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(6)] })).statusCode, 404);
  });

  t.test("the end: the final playlist is notarized, later segments and claims are refused, gaps at the end show", async (t) => {
    const playlist = { sha256: sha("#EXTM3U ... #EXT-X-ENDLIST"), bytes: 27, segments: 8, firstMediaSequence: 0, lastMediaSequence: 7 };
    const ended = await call(a, "POST", `/v1/streams/${stream.id}/end`, { rendition: "main", playlist });
    t.equal(ended.statusCode, 200, ended.body);
    t.match(ended.json().stream, { status: "ended", finalPlaylistSha256: playlist.sha256 });
    t.match(ended.json().record.receipt.record.envelope, { kind: "stream.ended", contentHash: playlist.sha256, mediaType: "application/vnd.apple.mpegurl", playlist: { rendition: "main", lastMediaSequence: 7 } });
    const again = await call(a, "POST", `/v1/streams/${stream.id}/end`, { rendition: "main", playlist });
    t.equal(again.json().record.id, ended.json().record.id, "ending again answers as the first end did");
    t.equal((await call(a, "POST", `/v1/streams/${stream.id}/end`, { rendition: "main", playlist: { ...playlist, sha256: sha("other") } })).statusCode, 409);
    const late = await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(6)] });
    t.equal(late.statusCode, 409);
    t.equal(late.json().error.field, "params.streamId");
    t.equal((await call(a, "POST", `/v1/streams/${stream.id}/segments`, { rendition: "main", segments: [segment(5)] })).statusCode, 202, "a resent segment is still answered as a duplicate");
    t.equal((await call(a, "POST", `/v1/streams/${stream.id}/claims`, { gtin: "6905678000014", quote: "too late" })).statusCode, 409);
    const report = (await call(a, "GET", `/v1/streams/${stream.id}/segments?rendition=main`)).json();
    t.same(report.renditions[0].gaps, [{ from: 2, to: 3, missing: 2 }, { from: 6, to: 7, missing: 2 }], "the playlist's last segments, never notarized, are a gap");
  });

  t.test("unknown or malformed stream ids", async (t) => {
    t.equal((await call(a, "GET", `/v1/streams/${randomUUID()}`)).statusCode, 404);
    const bad = await call(a, "GET", "/v1/streams/not-a-uuid");
    t.equal(bad.statusCode, 400);
    t.equal(bad.json().error.field, "params.streamId");
    t.equal((await call(mediator, "POST", "/v1/streams", { platform: "x", roomUrl: "https://x.example", host: "y" })).statusCode, 403, "a mediator only reads");
  });
});
