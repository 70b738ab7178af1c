// contentSha256: the content's hash in place of its bytes, for content hashed as it streamed in.
import { createHash } from "node:crypto";
import t from "tap";
import { canonicalBytes, verifyReceiptOffline } from "../../src/merkle/index.ts";
import { validReceipts } from "../support/receipt-fixtures.ts";

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const contentStep = (receipt: unknown, options: { contentSha256: string }) => verifyReceiptOffline(receipt, options).steps.find((s) => s.step === "contentHash")!;

t.test("a file's SHA-256 verifies like its bytes, and another file's does not", async (t) => {
  const fixture = validReceipts().find((f) => f.content !== undefined && !f.content.toString().trimStart().startsWith("{"))!;
  t.ok(fixture, "a fixture with a non-JSON file");
  t.equal(contentStep(fixture.receipt, { contentSha256: sha256(fixture.content!) }).ok, true);
  const other = contentStep(fixture.receipt, { contentSha256: sha256(Buffer.from("other")) });
  t.equal(other.ok, false);
  t.equal(other.code, "CONTENT_HASH_MISMATCH");
});

t.test("a JSON payload's raw-bytes hash cannot be canonicalised, and the failure says only the raw bytes were compared", async (t) => {
  const fixture = validReceipts().find((f) => f.name === "provenance-event")!;
  const step = contentStep(fixture.receipt, { contentSha256: sha256(fixture.content!) });
  t.equal(step.ok, false, "the pretty-printed payload's raw bytes are not what was hashed");
  t.match(step.reason, /only its raw bytes were compared/);
  const canonical = canonicalBytes(JSON.parse(fixture.content!.toString()));
  t.equal(contentStep(fixture.receipt, { contentSha256: sha256(canonical) }).ok, true, "its canonical bytes' hash verifies");
});
