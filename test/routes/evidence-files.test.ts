// POST /v1/evidence/files and GET /v1/evidence/files/{sha256}, on both blob drivers.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import t, { type Test } from "tap";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openBlobStore } from "../../src/evidence/blobs/index.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";
import { multipartBody, multipartType, type FormPart } from "../support/multipart.ts";
import { startS3rver } from "../support/s3rver.ts";

const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

async function suite(t: Test, driverEnv: Record<string, string>) {
  const h = await buildTestApp({ ...driverEnv, EVIDENCE_MAX_BYTES: String(4 * MiB) });
  t.teardown(h.close);
  const merchant = await merchantKey(h.database, "Silk Road Live");
  const other = await merchantKey(h.database, "Other Shop");
  const mediator = await issueApiKey(h.database.db, { role: "mediator" });

  const upload = (key: { token: string }, parts: FormPart[]) =>
    h.app.inject({ method: "POST", url: "/v1/evidence/files", headers: { ...bearer(key), "content-type": multipartType() }, payload: multipartBody(parts) });
  const download = (key: { token: string }, address: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: "GET", url: `/v1/evidence/files/${address}`, headers: { ...bearer(key), ...headers } });
  const store = await openBlobStore(h.config);
  t.teardown(() => store.close());
  const rows = async () => (await h.database.db.selectFrom("evidence_files").select("sha256").execute()).length;

  const data = randomBytes(MiB + 123);
  const first = await upload(merchant, [{ name: "file", filename: "C:\\Users\\lin\\订单截图.png", type: "image/png", data }]);

  t.test("stores an upload and notarizes it as a private evidence.file record whose contentHash sha256sum agrees with", async (t) => {
    t.equal(first.statusCode, 201, first.body);
    const body = first.json();
    t.match(body.file, { sha256: sha256(data), size: data.length, mediaType: "image/png", name: "订单截图.png" });
    t.equal(body.stored, "new");
    const envelope = body.record.receipt.record.envelope;
    t.match(envelope, { kind: "evidence.file", subject: `urn:tracemark:file:${body.file.id}`, contentHash: sha256(data), mediaType: "image/png", name: "订单截图.png", size: data.length, prev: null });
    const dir = await mkdtemp(join(tmpdir(), "tracemark-sha256sum-"));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, "f"), data);
    const { stdout } = await promisify(execFile)("sha256sum", [join(dir, "f")]);
    t.equal(stdout.split(" ")[0], envelope.contentHash, "sha256sum prints the contentHash");
    const receipt = await h.app.inject({ method: "GET", url: `/v1/records/${body.record.id}/receipt`, headers: bearer(merchant) });
    t.equal(receipt.statusCode, 200);
    const foreign = await h.app.inject({ method: "GET", url: `/v1/records/${body.record.id}/receipt`, headers: bearer(other) });
    t.equal(foreign.statusCode, 404, "the record is private to its merchant");
  });

  t.test("streams the file back with Content-Digest, Repr-Digest and a strong ETag", async (t) => {
    const res = await download(merchant, sha256(data));
    t.equal(res.statusCode, 200);
    t.ok(res.rawPayload.equals(data));
    const digest = `sha-256=:${createHash("sha256").update(data).digest("base64")}:`;
    t.equal(res.headers["content-digest"], digest);
    t.equal(res.headers["repr-digest"], digest);
    t.equal(res.headers["etag"], `"${sha256(data)}"`);
    t.equal(res.headers["content-type"], "image/png");
    t.equal(Number(res.headers["content-length"]), data.length);
    t.match(res.headers["content-disposition"], /^attachment; filename\*=UTF-8''/);
    const cached = await download(merchant, sha256(data), { "if-none-match": `"${sha256(data)}"` });
    t.equal(cached.statusCode, 304);
  });

  t.test("answers one byte range with 206, and a range past the end with 416", async (t) => {
    const res = await download(merchant, sha256(data), { range: "bytes=1000-1999" });
    t.equal(res.statusCode, 206);
    t.ok(res.rawPayload.equals(data.subarray(1000, 2000)));
    t.equal(res.headers["content-range"], `bytes 1000-1999/${data.length}`);
    t.equal(res.headers["content-digest"], undefined, "Content-Digest would describe the part; Repr-Digest describes the file");
    t.ok(res.headers["repr-digest"]);
    const suffix = await download(merchant, sha256(data), { range: "bytes=-10" });
    t.ok(suffix.rawPayload.equals(data.subarray(data.length - 10)));
    const past = await download(merchant, sha256(data), { range: `bytes=${data.length}-` });
    t.equal(past.statusCode, 416);
    t.equal(past.headers["content-range"], `bytes */${data.length}`);
  });

  t.test("shows the file to mediators and the operator; another merchant gets the 404 of a missing file", async (t) => {
    t.equal((await download(mediator, sha256(data))).statusCode, 200);
    t.equal((await download(h.admin, sha256(data))).statusCode, 200);
    const foreign = await download(other, sha256(data));
    const missing = await download(other, sha256(randomBytes(4)));
    t.equal(foreign.statusCode, 404);
    t.same(foreign.json().error.message, missing.json().error.message);
    t.same(foreign.json().error.field, missing.json().error.field);
  });

  t.test("stores the same bytes once, and notarizes every upload", async (t) => {
    const again = await upload(other, [{ name: "file", filename: "same.bin", data }]);
    t.equal(again.statusCode, 201);
    t.equal(again.json().stored, "deduplicated");
    t.equal(again.json().file.mediaType, "text/plain", "a part without a type is text/plain (RFC 7578 §4.4)");
    t.not(again.json().record.id, first.json().record.id);
    t.equal((await download(other, sha256(data))).statusCode, 200, "the other merchant uploaded it too: now it may read it");
  });

  t.test("refuses a file over EVIDENCE_MAX_BYTES with 413 naming body.file, and keeps neither bytes nor record", async (t) => {
    const before = await rows();
    const big = randomBytes(4 * MiB + 1);
    const res = await upload(merchant, [{ name: "file", filename: "big.bin", data: big }]);
    t.equal(res.statusCode, 413, res.body);
    t.equal(res.json().error.field, "body.file");
    t.equal(await rows(), before);
    t.equal(await store.size(sha256(big)), null);
    t.equal(await store.size(sha256(big.subarray(0, 4 * MiB))), null, "not even the first EVIDENCE_MAX_BYTES of it");
    const exact = randomBytes(4 * MiB);
    t.equal((await upload(merchant, [{ name: "file", filename: "exact.bin", data: exact }])).statusCode, 201, "exactly the limit is fine");
  });

  t.test("refuses malformed forms naming the field", async (t) => {
    const before = await rows();
    const cases: Array<[FormPart[], string]> = [
      [[], "body.file"],
      [[{ name: "file", data: "not a file" }], "body.file"],
      [[{ name: "note", data: "x" }], "body.note"],
      [[{ name: "file", filename: "a", data: "a" }, { name: "file", filename: "b", data: "b" }], "body.file"],
    ];
    for (const [parts, field] of cases) {
      const res = await upload(merchant, parts);
      t.equal(res.statusCode, 400, `${JSON.stringify(parts.map((p) => p.name))}: ${res.body}`);
      t.equal(res.json().error.field, field);
    }
    const json = await h.app.inject({ method: "POST", url: "/v1/evidence/files", headers: bearer(merchant), payload: { file: "x" } });
    t.equal(json.statusCode, 415);
    t.equal(await rows(), before);
  });

  t.test("only merchants upload; nobody without a key downloads", async (t) => {
    t.equal((await upload(mediator, [{ name: "file", filename: "a", data: "a" }])).statusCode, 403);
    t.equal((await upload(h.admin, [{ name: "file", filename: "a", data: "a" }])).statusCode, 403);
    t.equal((await h.app.inject({ method: "GET", url: `/v1/evidence/files/${sha256(data)}` })).statusCode, 401);
  });

  t.test("leaves no temporary file behind", async (t) => {
    if (driverEnv["EVIDENCE_DIR"]) t.same(await readdir(join(driverEnv["EVIDENCE_DIR"], "tmp")), []);
    else t.pass("the S3 suite checks its temporary keys in test/evidence/blobs/drivers.test.ts");
  });
}

t.test("local driver", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "tracemark-evidence-"));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await suite(t, { BLOB_DRIVER: "local", EVIDENCE_DIR: dir });
});

t.test("S3 driver (s3rver)", async (t) => {
  const s3 = await startS3rver();
  t.teardown(s3.stop);
  await suite(t, s3.env);
});
