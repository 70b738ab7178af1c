// Dispute cases through the API (issue 11): who sees a case, evidence by id and by receipt, the
// timeline as a chain of records on the case's subject, deadlines and the decision.
import { issueApiKey } from "../../src/auth/api-keys.ts";
import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { readZip } from "../support/zip.ts";

t.test("dispute cases", async (t) => {
  const h = await buildTestApp({ PIPELINE: "off" });
  t.teardown(h.close);
  const shop = await merchantKey(h.database, "Silk Road Live");
  const otherShop = await merchantKey(h.database, "Other Shop");
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "dispute team" });
  const otherMediator = await issueApiKey(h.database.db, { role: "mediator", label: "not assigned" });
  const inject = (method: string, url: string, token: { token: string } | null, payload?: object) =>
    h.app.inject({ method: method as "GET", url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

  const chat = (await inject("POST", "/v1/records", shop, { kind: "evidence.chat", subject: "urn:tracemark:order:A-1001", payload: { host: "Lin", said: "100% mulberry silk" } })).json();
  const deliveredAt = new Date(Date.now() - 2 * 86_400_000).toISOString();

  const opened = await inject("POST", "/v1/cases/consumer", null, { merchantId: shop.merchantId, orderRef: "A-1001", summary: "The scarf is polyester, not silk", deliveredAt });
  t.equal(opened.statusCode, 201, "the case is opened (its body holds the case token, so it is not the message)");
  const { case: created, token } = opened.json();
  const consumer = { token: token as string };
  t.match(token, /^tmk_[0-9a-f]{12}_/, "the case token is shown once");
  t.equal(created.state, "open");
  t.match(created.deadlines, [{ name: "request", status: "met" }, { name: "review", status: "due" }], "deadlines: the request was in time, the review is due");
  t.match(created.timeline, [{ kind: "case.opened", submitter: /^consumer:/ }]);

  const second = (await inject("POST", "/v1/cases/consumer", null, { merchantId: shop.merchantId, orderRef: "A-2002", summary: "Another order" })).json();
  const otherConsumer = { token: second.token as string };
  const elsewhere = (await inject("POST", "/v1/cases", otherShop, { orderRef: "B-1", summary: "A case of another shop" })).json();

  t.test("a consumer's token sees only its case; others get the 404 of a case that does not exist", async (t) => {
    t.equal((await inject("GET", `/v1/cases/${created.id}`, consumer)).statusCode, 200);
    const missing = await inject("GET", `/v1/cases/00000000-0000-4000-8000-000000000000`, consumer);
    for (const [who, key] of [["another consumer's token", otherConsumer], ["a merchant of another case", otherShop], ["an unassigned mediator", otherMediator]] as const) {
      const res = await inject("GET", `/v1/cases/${created.id}`, key);
      t.equal(res.statusCode, 404, who);
      t.equal(res.json().error.message, missing.json().error.message, `${who}: the same answer as for no case`);
    }
    t.equal((await inject("GET", `/v1/cases/${elsewhere.case.id}`, consumer)).statusCode, 404, "the consumer does not see another merchant's case");
    t.equal((await inject("GET", "/v1/records/" + chat.id, consumer)).statusCode, 403, "a case token reaches no route but the case routes");
    const list = (await inject("GET", "/v1/cases", consumer)).json();
    t.same(list.cases.map((c: { id: string }) => c.id), [created.id], "the consumer's list holds its case only");
    t.equal((await inject("GET", `/v1/cases/${created.id}`, shop)).statusCode, 200, "the case's merchant sees it");
  });

  t.test("the operator assigns a mediator, who then sees the case", async (t) => {
    t.equal((await inject("GET", `/v1/cases/${created.id}`, mediator)).statusCode, 404, "not before");
    const res = await inject("POST", `/v1/cases/${created.id}/mediator`, h.admin, { keyId: mediator.keyId });
    t.equal(res.statusCode, 200, res.body);
    t.equal(res.json().mediatorAssigned, true);
    t.equal((await inject("GET", `/v1/cases/${created.id}`, mediator)).statusCode, 200, "after");
    const wrong = await inject("POST", `/v1/cases/${created.id}/mediator`, h.admin, { keyId: shop.keyId });
    t.equal(wrong.statusCode, 422);
    t.equal(wrong.json().error.field, "body.keyId");
  });

  t.test("evidence: by record id, by receipt, withdrawn only by who added it", async (t) => {
    const byId = await inject("POST", `/v1/cases/${created.id}/evidence`, shop, { recordId: chat.id, note: "the host's words" });
    t.equal(byId.statusCode, 201, byId.body);
    const again = await inject("POST", `/v1/cases/${created.id}/evidence`, shop, { recordId: chat.id });
    t.equal(again.statusCode, 409, "a record is in a case once");
    const notVisible = await inject("POST", `/v1/cases/${created.id}/evidence`, consumer, { recordId: chat.id });
    t.equal(notVisible.statusCode, 422, "a consumer cannot bring a record by id that it may not see");
    t.equal(notVisible.json().error.field, "body.recordId");

    // The consumer's own photo, notarized elsewhere: it brings the receipt.
    const photo = (await inject("POST", "/v1/records", h.admin, { kind: "evidence.photo", subject: "consumer:photos", contentHash: "ab".repeat(32), mediaType: "image/jpeg" })).json();
    const byReceipt = await inject("POST", `/v1/cases/${created.id}/evidence`, consumer, { receipt: photo.receipt, note: "label says polyester" });
    t.equal(byReceipt.statusCode, 201, byReceipt.body);
    t.equal(byReceipt.json().party, "consumer");
    const forged = { ...photo.receipt, record: { ...photo.receipt.record, salt: "00".repeat(32) } };
    const refused = await inject("POST", `/v1/cases/${created.id}/evidence`, consumer, { receipt: forged });
    t.equal(refused.statusCode, 422, "a receipt whose salt does not match names no record");

    const item = byId.json();
    const notMine = await inject("POST", `/v1/cases/${created.id}/evidence/${item.id}/withdrawal`, consumer, {});
    t.equal(notMine.statusCode, 403, "only the party that added it withdraws it");
    const withdrawn = await inject("POST", `/v1/cases/${created.id}/evidence/${item.id}/withdrawal`, shop, { reason: "attached by mistake" });
    t.equal(withdrawn.statusCode, 200, withdrawn.body);
    t.ok(withdrawn.json().withdrawnAt);
    t.equal((await inject("POST", `/v1/cases/${created.id}/evidence`, shop, { recordId: chat.id, note: "again" })).statusCode, 201, "a withdrawn record may come back");
  });

  t.test("statements and the decision go on the case's chain of records", async (t) => {
    t.equal((await inject("POST", `/v1/cases/${created.id}/statements`, shop, { text: "Our scarves are silk." })).statusCode, 201);
    t.equal((await inject("POST", `/v1/cases/${created.id}/decision`, shop, { outcome: "refund", reasons: "x" })).statusCode, 403, "a merchant does not decide");
    t.equal((await inject("POST", `/v1/cases/${created.id}/decision`, otherMediator, { outcome: "refund", reasons: "x" })).statusCode, 404, "an unassigned mediator does not see it");
    const decided = await inject("POST", `/v1/cases/${created.id}/decision`, mediator, { outcome: "return-and-refund", reasons: "The label and the claim disagree." });
    t.equal(decided.statusCode, 200, decided.body);
    t.match(decided.json().deadlines, [{ name: "request" }, { name: "review", status: "met" }, { name: "return", status: "due" }]);
    t.equal((await inject("POST", `/v1/cases/${created.id}/decision`, mediator, { outcome: "refund", reasons: "twice" })).statusCode, 409, "decided once");

    const view = (await inject("GET", `/v1/cases/${created.id}`, consumer)).json();
    const kinds = view.timeline.map((e: { kind: string }) => e.kind);
    t.same(kinds, ["case.opened", "case.mediator-assigned", "case.evidence-added", "case.evidence-added", "case.evidence-withdrawn", "case.evidence-added", "case.statement", "case.decision"]);
    const records = await h.database.db.selectFrom("records").select(["record_hash", "envelope"]).where("subject", "=", view.subject).orderBy("seq").execute();
    records.forEach((r, i) => t.equal(JSON.parse(r.envelope).prev, i === 0 ? null : records[i - 1]!.record_hash, `record ${i + 1} links to the one before`));
    t.match(view.decision, { outcome: "return-and-refund", reasons: "The label and the claim disagree." });
  });

  t.test("without the originals at hand, the bundle holds the records and receipts and says what it lacks", async (t) => {
    const res = await inject("GET", `/v1/cases/${created.id}/bundle`, consumer);
    t.equal(res.statusCode, 200);
    t.equal(res.headers["content-type"], "application/zip");
    const files = await readZip(res.rawPayload);
    const index = JSON.parse(files.get("data/case.json")!.toString("utf8")).index as Array<{ kind: string; content: string | null }>;
    t.equal(index.find((i) => i.kind === "evidence.photo")?.content, null, "the photo is known by its hash only");
    t.ok(index.filter((i) => i.kind.startsWith("case.")).every((i) => i.content !== null), "the timeline's payloads are all there");
    t.match(files.get("data/report.html")!.toString("utf8"), /the platform does not hold the original/);
    t.equal([...files.keys()].slice(-4).join(" "), "manifest-sha256.txt bagit.txt bag-info.txt tagmanifest-sha256.txt", "the manifests come after the data they hash");
  });

  t.test("deadlines come from the configured periods; a late request shows as late", async (t) => {
    const late = (await inject("POST", "/v1/cases/consumer", null, { merchantId: shop.merchantId, orderRef: "A-3", summary: "late", deliveredAt: new Date(Date.now() - 10 * 86_400_000).toISOString() })).json();
    t.match(late.case.deadlines, [{ name: "request", status: "late" }]);
  });
});
