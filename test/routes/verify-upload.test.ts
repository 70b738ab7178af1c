import { createHash, randomBytes } from "node:crypto";
import t from "tap";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { BOUNDARY, multipartBody, multipartType, type FormPart } from "../support/multipart.ts";

const MiB = 1024 * 1024;
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

t.test("POST /v1/verify/upload", async (t) => {
  const h = await buildTestApp({ VERIFY_UPLOAD_MAX_BYTES: String(8 * MiB), PUBLIC_RATE_LIMIT: "1000" });
  t.teardown(h.close);
  const merchant = await merchantKey(h.database);
  // An accepted receipt is enough here: the contentHash step is offline and runs before sealing.
  const receiptFor = async (contentHash: string, mediaType: string) => {
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.file", subject: "case:1", contentHash, mediaType } });
    return res.json().receipt as object;
  };
  const upload = (parts: FormPart[] | Buffer, contentType = multipartType()) =>
    h.app.inject({ method: "POST", url: "/v1/verify/upload", headers: { "content-type": contentType }, payload: Buffer.isBuffer(parts) ? parts : multipartBody(parts) });
  const contentStep = (res: { json(): { steps: Array<{ step: string; ok: boolean | null; reason?: string }> } }) => res.json().steps.find((s) => s.step === "contentHash")!;

  const big = randomBytes(6 * MiB);
  const bigReceipt = await receiptFor(sha256(big), "video/mp4");

  t.test("hashes a multi-MiB file as it streams in and checks it against contentHash", async (t) => {
    const res = await upload([{ name: "receipt", data: JSON.stringify(bigReceipt) }, { name: "content", filename: "clip.mp4", type: "video/mp4", data: big }]);
    t.equal(res.statusCode, 200, res.body);
    t.equal(contentStep(res).ok, true);
    const other = Buffer.from(big);
    other[3 * MiB] = other[3 * MiB]! ^ 1;
    const bad = await upload([{ name: "receipt", data: JSON.stringify(bigReceipt) }, { name: "content", filename: "clip.mp4", data: other }]);
    t.equal(contentStep(bad).ok, false, "one flipped bit in the middle is caught");
  });

  t.test("takes the parts in either order, and the receipt as a file", async (t) => {
    const res = await upload([{ name: "content", filename: "clip.mp4", data: big }, { name: "receipt", filename: "receipt.json", type: "application/json", data: JSON.stringify(bigReceipt) }]);
    t.equal(res.statusCode, 200, res.body);
    t.equal(contentStep(res).ok, true);
  });

  t.test("refuses content over VERIFY_UPLOAD_MAX_BYTES with 413 naming body.content", async (t) => {
    const res = await upload([{ name: "receipt", data: JSON.stringify(bigReceipt) }, { name: "content", filename: "huge.bin", data: Buffer.alloc(9 * MiB) }]);
    t.equal(res.statusCode, 413);
    t.equal(res.json().error.code, "PAYLOAD_TOO_LARGE");
    t.equal(res.json().error.field, "body.content");
  });

  t.test("refuses a receipt over 1 MiB with 413 naming body.receipt, as a file or a field", async (t) => {
    for (const filename of ["receipt.json", undefined]) {
      const res = await upload([{ name: "receipt", ...(filename ? { filename } : {}), data: "x".repeat(MiB + 1) }]);
      t.equal(res.statusCode, 413, `as a ${filename ? "file" : "field"}`);
      t.equal(res.json().error.field, "body.receipt");
    }
  });

  t.test("a second content or receipt part is a 400 naming it, not silently the last one", async (t) => {
    const receipt = JSON.stringify(bigReceipt);
    const twoContents = await upload([{ name: "receipt", data: receipt }, { name: "content", filename: "a", data: big }, { name: "content", filename: "b", data: "other" }]);
    t.equal(twoContents.statusCode, 400);
    t.equal(twoContents.json().error.field, "body.content");
    const twoReceipts = await upload([{ name: "receipt", data: receipt }, { name: "receipt", data: receipt }]);
    t.equal(twoReceipts.statusCode, 400);
    t.equal(twoReceipts.json().error.field, "body.receipt");
  });

  t.test("an unknown part is a 400 naming it", async (t) => {
    const res = await upload([{ name: "receipt", data: JSON.stringify(bigReceipt) }, { name: "note", data: "hi" }]);
    t.equal(res.statusCode, 400);
    t.equal(res.json().error.field, "body.note");
  });

  t.test("a malformed form is a 4xx naming what was wrong, never a 500", async (t) => {
    const whole = multipartBody([{ name: "receipt", data: JSON.stringify(bigReceipt) }, { name: "content", filename: "a", data: "abc" }]);
    const cases: Array<[string, Buffer, string, number, string]> = [
      ["no boundary", whole, "multipart/form-data", 400, "headers.content-type"],
      ["another boundary", whole, multipartType("elsewhere"), 400, "body"],
      ["truncated", whole.subarray(0, whole.length - 30), multipartType(), 400, "body"],
      ["garbage", randomBytes(2000), multipartType(), 400, "body"],
      // busboy skips a part without a Content-Disposition: the form then has no receipt.
      ["a part without headers", Buffer.from(`--${BOUNDARY}\r\n\r\nxyz\r\n--${BOUNDARY}--\r\n`), multipartType(), 400, "body.receipt"],
      ["empty", Buffer.alloc(0), multipartType(), 400, "body.receipt"],
    ];
    for (const [what, body, type, status, field] of cases) {
      const res = await upload(body, type);
      t.equal(res.statusCode, status, `${what}: ${res.body}`);
      t.equal(res.json().error.field, field, what);
    }
  });

  t.test("JSON content up to 1 MiB is also checked in its RFC 8785 form", async (t) => {
    const payload = { said: "100% mulberry silk", price: 12.5 };
    const res = await h.app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.chat", subject: "stream:9", payload } });
    const pretty = JSON.stringify(payload, null, 2);
    const verified = await upload([{ name: "receipt", data: JSON.stringify(res.json().receipt) }, { name: "content", filename: "chat.json", data: pretty }]);
    t.equal(contentStep(verified).ok, true, contentStep(verified).reason ?? "");
  });

  t.test("JSON content over 1 MiB is compared by its raw bytes; when those differ, a clear 413", async (t) => {
    const value = { rows: Array.from({ length: 80_000 }, (_, i) => ({ i, note: "row" })) };
    const canonical = Buffer.from(JSON.stringify(value));
    t.ok(canonical.length > MiB, "the content is over 1 MiB");
    const receipt = JSON.stringify(await receiptFor(sha256(canonical), "application/json"));
    const same = await upload([{ name: "receipt", data: receipt }, { name: "content", filename: "rows.json", data: canonical }]);
    t.equal(same.statusCode, 200);
    t.equal(contentStep(same).ok, true, "the canonical bytes verify");
    const pretty = await upload([{ name: "receipt", data: receipt }, { name: "content", filename: "rows.json", data: JSON.stringify(value, null, 1) }]);
    t.equal(pretty.statusCode, 413, pretty.body);
    t.equal(pretty.json().error.field, "body.content");
    t.match(pretty.json().error.message, /RFC 8785/);
  });
});
