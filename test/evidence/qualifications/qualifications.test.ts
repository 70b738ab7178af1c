// Merchant qualification documents: submitted by the merchant on its own chain, decided by the
// operator in a public record on that chain, summarised for the scan page.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { issueApiKey } from "../../../src/auth/api-keys.ts";
import { merchantSubject } from "../../../src/evidence/qualifications/qualifications.ts";
import { dateIn, qualificationSummary } from "../../../src/evidence/qualifications/summary.ts";
import { recordHash, type Envelope } from "../../../src/merkle/index.ts";
import { bearer, buildTestApp, merchantKey } from "../../support/app.ts";
import { multipartBody, multipartType } from "../../support/multipart.ts";

t.test("merchant qualifications", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "tracemark-qualifications-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const h = await buildTestApp({ EVIDENCE_DIR: dir });
  t.teardown(h.close);
  const merchant = await merchantKey(h.database, "Silk Road Live");
  const other = await merchantKey(h.database, "Other Shop");
  const mediator = await issueApiKey(h.database.db, { role: "mediator" });
  const merchantId = merchant.merchantId!;

  const uploadScan = async (key: { token: string }, text: string) => {
    const res = await h.app.inject({
      method: "POST",
      url: "/v1/evidence/files",
      headers: { ...bearer(key), "content-type": multipartType() },
      payload: multipartBody([{ name: "file", filename: "licence.pdf", type: "application/pdf", data: text }]),
    });
    t.equal(res.statusCode, 201, res.body);
    return res.json().file as { id: string; sha256: string };
  };
  const submit = (key: { token: string }, body: object) => h.app.inject({ method: "POST", url: "/v1/qualifications", headers: bearer(key), payload: body });
  const decide = (key: { token: string }, id: string, body: object) => h.app.inject({ method: "POST", url: `/v1/admin/qualifications/${id}/decision`, headers: bearer(key), payload: body });

  const licenceScan = await uploadScan(merchant, "营业执照 scan");
  const permitScan = await uploadScan(merchant, "食品经营许可证 scan");
  const licence = await submit(merchant, { type: "business-licence", number: "91320500MA1XXXXX0X", validFrom: "2020-01-01", validUntil: null, file: { id: licenceScan.id } });
  const permit = await submit(merchant, { type: "food-permit", number: "JY13205000000000", validFrom: "2021-05-01", validUntil: "2026-04-30", file: { id: permitScan.id } });

  t.test("a submission is a private record on the merchant's subject, chained by prev", async (t) => {
    t.equal(licence.statusCode, 201, licence.body);
    t.equal(permit.statusCode, 201, permit.body);
    const first = licence.json().record.receipt.record.envelope as Envelope;
    const second = permit.json().record.receipt.record.envelope as Envelope;
    t.match(first, { kind: "merchant.qualification", subject: merchantSubject(merchantId), prev: null });
    t.equal(second.prev, recordHash(first), "the second submission links to the first");
    t.equal(licence.json().qualification.status, "pending");
    const foreign = await h.app.inject({ method: "GET", url: `/v1/records/${licence.json().record.id}/receipt`, headers: bearer(other) });
    t.equal(foreign.statusCode, 404);
  });

  t.test("refuses a file that is not the merchant's own, and dates out of order", async (t) => {
    const othersScan = await uploadScan(other, "someone else's licence");
    const res = await submit(merchant, { type: "business-licence", number: "X", validFrom: "2020-01-01", file: { id: othersScan.id } });
    t.equal(res.statusCode, 404);
    t.equal(res.json().error.field, "body.file.id");
    const backwards = await submit(merchant, { type: "food-permit", number: "X", validFrom: "2024-01-01", validUntil: "2023-12-31", file: { id: licenceScan.id } });
    t.equal(backwards.statusCode, 400);
    t.equal(backwards.json().error.field, "body.validUntil");
    const notADate = await submit(merchant, { type: "food-permit", number: "X", validFrom: "2024-02-30", file: { id: licenceScan.id } });
    t.equal(notADate.statusCode, 400);
    t.equal(notADate.json().error.field, "body.validFrom");
  });

  t.test("the operator's decision is a public record that extends the merchant's chain", async (t) => {
    const approved = await decide(h.admin, licence.json().qualification.id, { decision: "approved", reason: "matches the SAMR register" });
    t.equal(approved.statusCode, 200, approved.body);
    const envelope = approved.json().record.receipt.record.envelope as Envelope;
    t.match(envelope, { kind: "merchant.qualification.decision", subject: merchantSubject(merchantId), prev: recordHash(permit.json().record.receipt.record.envelope) });
    t.match(envelope.submitter, /^key:/, "the operator's key submitted it");
    t.equal(approved.json().qualification.status, "approved");
    const payload = await h.database.db.selectFrom("record_payloads").select("payload").where("record_id", "=", approved.json().record.id).executeTakeFirstOrThrow();
    t.match(JSON.parse(payload.payload), { decision: "approved", reason: "matches the SAMR register", type: "business-licence", qualification: recordHash(licence.json().record.receipt.record.envelope) });
    t.notMatch(payload.payload, "91320500MA1XXXXX0X", "the public decision does not carry the document number");
    t.equal((await decide(h.admin, licence.json().qualification.id, { decision: "rejected", reason: "again" })).statusCode, 409, "decided once");
    const receipt = await h.app.inject({ method: "GET", url: `/v1/records/${approved.json().record.id}/receipt`, headers: bearer(merchant) });
    t.equal(receipt.statusCode, 200, "the merchant can fetch the decision's receipt");
  });

  t.test("the merchant keeps appending to its chain after the operator's decision", async (t) => {
    const scan = await uploadScan(merchant, "brand authorisation");
    const res = await submit(merchant, { type: "brand-authorisation", number: "BA-1", validFrom: "2025-01-01", validUntil: "2025-12-31", file: { id: scan.id } });
    t.equal(res.statusCode, 201, res.body);
    const rejected = await decide(h.admin, res.json().qualification.id, { decision: "rejected", reason: "the brand owner's seal is missing" });
    t.equal(rejected.json().qualification.status, "rejected");
  });

  t.test("only the operator decides", async (t) => {
    t.equal((await decide(merchant, permit.json().qualification.id, { decision: "approved", reason: "me" })).statusCode, 403);
    t.equal((await decide(mediator, permit.json().qualification.id, { decision: "approved", reason: "me" })).statusCode, 403);
  });

  t.test("lists a merchant's own submissions; mediators and the operator see every merchant's", async (t) => {
    const own = await h.app.inject({ method: "GET", url: "/v1/qualifications", headers: bearer(merchant) });
    t.equal(own.json().qualifications.length, 3);
    const theirs = await h.app.inject({ method: "GET", url: "/v1/qualifications", headers: bearer(other) });
    t.same(theirs.json().qualifications, []);
    const pending = await h.app.inject({ method: "GET", url: `/v1/qualifications?merchantId=${merchantId}&status=pending`, headers: bearer(mediator) });
    t.same(pending.json().qualifications.map((q: { type: string }) => q.type), ["food-permit"]);
  });

  t.test("qualificationSummary: checked types, when, expiry, and which have expired", async (t) => {
    await decide(h.admin, permit.json().qualification.id, { decision: "approved", reason: "ok" });
    const before = await qualificationSummary(h.database.db, merchantId, new Date("2026-04-30T15:59:00Z"));
    t.same(before.checked.map((c) => [c.type, c.validUntil, c.expired]).sort(), [["business-licence", null, false], ["food-permit", "2026-04-30", false]]);
    t.same(before.expired, []);
    t.ok(before.lastCheckedAt);
    // 16:00 UTC is midnight in Shanghai: the permit's last day is over there.
    const after = await qualificationSummary(h.database.db, merchantId, new Date("2026-04-30T16:00:00Z"));
    t.same(after.expired, ["food-permit"]);
    t.equal(dateIn(new Date("2026-04-30T16:00:00Z"), "Asia/Shanghai"), "2026-05-01");
    const none = await qualificationSummary(h.database.db, other.merchantId!, new Date());
    t.same(none, { merchantId: other.merchantId, checked: [], lastCheckedAt: null, expired: [] }, "rejected or no documents: nothing checked");
  });
});
