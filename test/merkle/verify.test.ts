// Offline receipt verification: frozen receipts still verify, tampered ones fail at the step
// their vector names, and nothing a receipt contains can make the verifier throw.
import t from "tap";
import { verifyReceiptOffline, OFFLINE_STEPS } from "../../src/merkle/index.ts";
import type { VerificationReport } from "../../src/merkle/index.ts";
import { tamperedReceipts, validReceipts } from "../support/receipt-fixtures.ts";

const firstFailure = (report: VerificationReport) => report.steps.find((s) => s.ok === false);

t.test("every frozen valid receipt still verifies offline, with its content when it has one", async (t) => {
  const fixtures = validReceipts();
  t.ok(fixtures.length >= 7);
  for (const { name, receipt, offlineStatus, content } of fixtures) {
    const report = verifyReceiptOffline(receipt, content === undefined ? {} : { content });
    t.equal(report.status, offlineStatus, `${name}: ${report.summary}`);
    t.equal(report.mode, "offline");
    t.equal(firstFailure(report), undefined, `${name} has no failed step`);
  }
});

t.test("reports the offline steps in the documented order", async (t) => {
  const [fixture] = validReceipts();
  const report = verifyReceiptOffline(fixture!.receipt, { content: fixture!.content! });
  t.same(report.steps.map((s) => s.step), OFFLINE_STEPS);
  t.same(report.steps.map((s) => s.ok), [true, true, true, true, true]);
  t.equal(report.valid, true);
});

t.test("says an offline success is only offline: the root was not checked against a chain", async (t) => {
  const [fixture] = validReceipts();
  t.match(verifyReceiptOffline(fixture!.receipt).summary, /not checked against a chain/);
});

t.test("skips the content check when no content is given, and says so", async (t) => {
  const [fixture] = validReceipts();
  const step = verifyReceiptOffline(fixture!.receipt).steps.find((s) => s.step === "contentHash");
  t.same(step, { step: "contentHash", ok: null, reason: "no content given" });
});

t.test("checks a JSON payload by its RFC 8785 form, so a pretty-printed copy verifies", async (t) => {
  const fixture = validReceipts().find((f) => f.name === "provenance-event")!;
  t.ok(fixture.content!.toString().includes("\n    "), "the fixture's payload is pretty-printed");
  const step = verifyReceiptOffline(fixture.receipt, { content: fixture.content! }).steps.find((s) => s.step === "contentHash");
  t.equal(step?.ok, true);
  t.match(step?.reason, /RFC 8785/);
  const other = Buffer.from(fixture.content!.toString().replace("4.5", "5.5"));
  t.equal(verifyReceiptOffline(fixture.receipt, { content: other }).status, "invalid", "a changed value does not");
});

t.test("calls a receipt that is not sealed yet pending, not invalid", async (t) => {
  const fixture = validReceipts().find((f) => f.name === "not-sealed")!;
  const report = verifyReceiptOffline(fixture.receipt);
  t.equal(report.status, "pending");
  t.equal(report.valid, false);
  t.same(report.steps.filter((s) => s.ok === null).map((s) => s.step), ["contentHash", "leafHash", "auditPath"]);
  t.match(report.summary, /not sealed/);
});

for (const vector of tamperedReceipts()) {
  const offlineBlind = !(OFFLINE_STEPS as readonly string[]).includes(vector.expectedFailure.step);
  const title = offlineBlind
    ? `passes offline but is caught on chain at ${vector.expectedFailure.step}: ${vector.description} (${vector.name})`
    : `fails at ${vector.expectedFailure.step} with ${vector.expectedFailure.code}: ${vector.description} (${vector.name})`;
  t.test(title, async (t) => {
    const report = verifyReceiptOffline(vector.receipt, vector.content === undefined ? {} : { content: vector.content });
    if (offlineBlind) {
      t.equal(report.status, "valid", "RFC 9162 verification cannot see this without the chain");
      return;
    }
    t.equal(report.status, "invalid");
    t.equal(report.valid, false);
    const failure = firstFailure(report);
    t.same({ step: failure?.step, code: failure?.code }, vector.expectedFailure);
    t.ok(failure?.reason, "with a reason");
  });
}

t.test("tampering is caught at every offline step by some vector", async (t) => {
  const steps = new Set(tamperedReceipts().map((v) => v.expectedFailure.step));
  for (const step of OFFLINE_STEPS) t.ok(steps.has(step), step);
});

t.test("a valid receipt's JSON may be re-indented and its keys reordered", async (t) => {
  const [fixture] = validReceipts();
  const reorder = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(reorder) : v !== null && typeof v === "object" ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reorder(x)])) : v;
  const text = JSON.stringify(reorder(fixture!.receipt), null, 1);
  t.equal(verifyReceiptOffline(JSON.parse(text)).status, "valid");
});
