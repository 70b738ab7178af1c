// The evidence bundle end to end (issue 11): a case assembled from an order, a live-stream claim
// and a chat, plus the consumer's own notarized photo, anchored on a `hardhat node`; its bundle
// unpacks, `sha256sum -c` passes, `tracemark verify-bundle` passes offline and on chain with trust
// pinned, and a one-byte change to any file, record or receipt fails, naming the file and the step.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pipeline as pipeStreams } from "node:stream/promises";
import t from "tap";
import yazl from "yazl";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { canonicalJson, encodeDisclosure, type JsonValue } from "../../src/merkle/index.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";

const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const SCREENSHOT = fileURLToPath(new URL("../../docs/screenshots/case-report-pdf-page1.png", import.meta.url));

function run(file: string, args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 300_000, maxBuffer: 64 * 1024 * 1024, ...(cwd ? { cwd } : {}) }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}
const tracemark = (args: string[]) => run(process.execPath, [CLI, ...args]);
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** Flips the lowest bit of the byte at `at` of a file. */
async function flipByte(path: string, at: number): Promise<void> {
  const bytes = await readFile(path);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(path, bytes);
}

/** Rewrites both manifests for what the folder holds now: a forger who also redoes the BagIt hashes. */
async function rehash(dir: string): Promise<void> {
  const manifest = (await readFile(join(dir, "manifest-sha256.txt"), "utf8")).trim().split("\n").map((l) => l.slice(66));
  const lines = await Promise.all(manifest.map(async (p) => `${sha256(await readFile(join(dir, p)))}  ${p}\n`));
  await writeFile(join(dir, "manifest-sha256.txt"), lines.join(""));
  const tags = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt"];
  await writeFile(join(dir, "tagmanifest-sha256.txt"), (await Promise.all(tags.map(async (p) => `${sha256(await readFile(join(dir, p)))}  ${p}\n`))).join(""));
}

t.test("a case's evidence bundle, anchored on a hardhat node", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const deployed = await deployWithScriptPrinting(node.url);
  const work = await mkdtemp(join(tmpdir(), "tracemark-bundle-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const blobs = join(work, "blobs");
  await run("mkdir", ["-p", blobs]);
  const h = await buildTestApp({
    CHAIN_RPC_URL: node.url,
    CONTRACT_ADDRESS: deployed.address,
    CONTRACT_DEPLOY_BLOCK: String(deployed.deployBlock),
    BATCH_INTERVAL_MS: "200",
    CHAIN_POLL_MS: "100",
    CASE_BLOB_DIR: blobs,
  });
  // The sealer and anchorer, as the server process runs them beside the app.
  const pipeline = startPipeline(h.config, h.database, h.chain, { info: () => {}, warn: () => {} });
  t.teardown(async () => {
    await pipeline.stop();
    await h.close();
  });
  const shop = await merchantWithPrefix(h, "丝路直播 Silk Road Live", "6905678");
  const mediator = await issueApiKey(h.database.db, { role: "mediator", label: "消费者协会" });
  const inject = async (method: string, url: string, token: { token: string } | null, payload?: object) => {
    const res = await h.app.inject({ method: method as "GET", url, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res;
  };

  // The evidence capture issue's order, stream claim and chat, notarized by the merchant; the
  // service keeps their JSON in the blob store by its hash (the generic record route keeps none).
  const keep = async (payload: object) => {
    const text = canonicalJson(payload);
    await writeFile(join(blobs, sha256(text)), text);
    return payload;
  };
  const notarize = async (kind: string, subject: string, payload: object) => (await inject("POST", "/v1/records", shop, { kind, subject, payload: await keep(payload) })).json();
  const order = await notarize("evidence.order", "urn:tracemark:order:A-1001", { orderRef: "A-1001", item: "桑蚕丝印花方巾 silk scarf", price: "199.00", currency: "CNY" });
  const claim = await notarize("evidence.stream-claim", "urn:tracemark:stream:live-42", { host: "Lin", at: "2026-11-20T12:03:00Z", said: "100% 桑蚕丝 mulberry silk" });
  const chat = await notarize("evidence.chat", "urn:tracemark:order:A-1001", { from: "buyer", text: "是真丝吗？ Is it real silk?", reply: "是的 yes" });
  // The consumer's own photo, notarized by its hash (the public notarization route of the consumer work will do this).
  const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("a photo of the label: 100% polyester ".repeat(200))]);
  await writeFile(join(blobs, sha256(photo)), photo);
  const photoRecord = (await inject("POST", "/v1/records", h.admin, { kind: "evidence.photo", subject: "urn:tracemark:consumer:photos", contentHash: sha256(photo), mediaType: "image/jpeg" })).json();

  // The order as the orders API records it: committed field by field (docs/disclosure-v1.md), the
  // buyer among its fields; its bundle folder then holds a disclosure of what the service still has.
  const gtin = gtinUnder("6905678", 1);
  await inject("POST", "/v1/products", shop, { gtin, name: "桑蚕丝印花方巾 Silk scarf" });
  await inject("POST", `/v1/products/${gtin}/lots`, shop, { lot: "SZ2611A" });
  const job = (await inject("POST", `/v1/products/${gtin}/lots/SZ2611A/items`, shop, { count: 1 })).json();
  while ((await inject("GET", `/v1/jobs/${job.id}`, shop)).json().status !== "succeeded") await new Promise((r) => setTimeout(r, 50));
  const serial = decodeURIComponent(((await inject("GET", `/v1/jobs/${job.id}/items`, shop)).json().items[0].uri as string).split("/21/")[1]!);
  const sdOrder = (
    await inject("POST", "/v1/orders", shop, { orderRef: "A-1001", placedAt: "2026-11-11T20:03:05+08:00", currency: "CNY", total: "199.00", items: [{ gtin, serial, price: "199.00" }], buyer: { id: "buyer-7f3a", phone: "+86 138 0013 8000" } })
  ).json();

  const opened = (await inject("POST", "/v1/cases/consumer", null, { merchantId: shop.merchantId, orderRef: "A-1001", summary: "标签写的是聚酯纤维，主播说是真丝。The label says polyester; the host said silk.", deliveredAt: new Date(Date.now() - 86_400_000).toISOString() })).json();
  const caseId = opened.case.id as string;
  const consumer = { token: opened.token as string };
  await inject("POST", `/v1/cases/${caseId}/mediator`, h.admin, { keyId: mediator.keyId });
  for (const record of [order, claim, chat]) await inject("POST", `/v1/cases/${caseId}/evidence`, shop, { recordId: record.id });
  await inject("POST", `/v1/cases/${caseId}/evidence`, consumer, { receipt: photoRecord.receipt, note: "标签 the label" });
  await inject("POST", `/v1/cases/${caseId}/evidence`, shop, { recordId: sdOrder.record.id });
  // The buyer asked to be forgotten before the bundle was made.
  await inject("POST", `/v1/orders/${sdOrder.orderId}/erasure`, h.admin, { reason: "data subject request DSR-2026-17" });
  await inject("POST", `/v1/cases/${caseId}/statements`, shop, { text: "我们的丝巾是真丝。Our scarves are silk." });
  await inject("POST", `/v1/cases/${caseId}/decision`, mediator, { outcome: "return-and-refund", reasons: "标签与主播说法不符。The label contradicts the host's claim." });

  // Every record anchored (the chain steps then have something to check).
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error("records not anchored after 60 s");
    const statuses = await Promise.all([order, claim, chat, photoRecord, sdOrder.record].map(async (r) => (await inject("GET", `/v1/records/${r.id}`, h.admin)).json().status));
    const view = (await inject("GET", `/v1/cases/${caseId}`, h.admin)).json();
    const timeline = await Promise.all(view.timeline.map(async (e: { recordId: string }) => (await inject("GET", `/v1/records/${e.recordId}`, h.admin)).json().status));
    if ([...statuses, ...timeline].every((s) => s === "anchored" || s === "final")) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const first = await inject("GET", `/v1/cases/${caseId}/bundle`, mediator);
  t.equal(first.headers["content-type"], "application/zip");
  const second = await inject("GET", `/v1/cases/${caseId}/bundle`, consumer);
  t.ok(first.rawPayload.equals(second.rawPayload), "the same case at the same moment gives the same bytes, whoever asks");
  const zipPath = join(work, `case-${caseId}.zip`);
  await writeFile(zipPath, first.rawPayload);
  const trustFile = join(work, "trust.json");
  await writeFile(trustFile, (await inject("GET", "/.well-known/tracemark-trust.json", null)).body);

  const bag = join(work, "bag");
  const unzip = await run("unzip", ["-q", zipPath, "-d", bag]);
  t.equal(unzip.code, 0, `the bundle unpacks ${unzip.stderr}`);
  for (const manifest of ["manifest-sha256.txt", "tagmanifest-sha256.txt"]) {
    const check = await run("sha256sum", ["-c", manifest], bag);
    t.equal(check.code, 0, `sha256sum -c ${manifest} passes`);
    t.notMatch(check.stdout, /FAILED/);
  }
  const files = (await readFile(join(bag, "manifest-sha256.txt"), "utf8")).split("\n").filter(Boolean).map((l) => l.slice(66));
  t.ok(files.includes("data/report.pdf") && files.includes("data/report.html") && files.includes("data/VERIFY.md") && files.includes("data/trust.json"), "report, VERIFY.md and trust document are in the bag");
  const photoFile = files.find((f) => f.startsWith("data/evidence/") && f.endsWith("content.jpg"))!;
  t.ok(photoFile, "the consumer's original photo is in the bag");
  t.ok((await readFile(join(bag, photoFile))).equals(photo), "byte for byte");
  t.match(await readFile(join(bag, "bagit.txt"), "utf8"), /^BagIt-Version: 1\.0\nTag-File-Character-Encoding: UTF-8\n$/);
  t.match(await readFile(join(bag, "bag-info.txt"), "utf8"), new RegExp(`External-Identifier: urn:tracemark:case:${caseId}\\nInternal-Sender-Description: .*\\nPayload-Oxum: \\d+\\.${files.length}\\n`));

  const offline = await tracemark(["verify-bundle", zipPath, "--offline"]);
  t.equal(offline.code, 0, `verify-bundle --offline passes:\n${offline.stdout}${offline.stderr}`);
  // A bag past 4 GiB comes as ZIP64: the same bag repacked in that format reads the same.
  const zip64Path = join(work, "bundle-zip64.zip");
  const repacked = new yazl.ZipFile();
  for (const file of [...files, "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"]) repacked.addFile(join(bag, file), file, { forceZip64Format: true });
  repacked.end();
  await pipeStreams(repacked.outputStream, createWriteStream(zip64Path));
  const zip64 = await tracemark(["verify-bundle", zip64Path, "--offline"]);
  t.equal(zip64.code, 0, `verify-bundle --offline passes on the ZIP64 repack:\n${zip64.stdout}${zip64.stderr}`);
  t.equal(zip64.stdout, offline.stdout, "with the very same report");
  const onChain = await tracemark(["verify-bundle", zipPath, "--rpc", node.url, "--trust", trustFile]);
  t.equal(onChain.code, 0, `verify-bundle on chain with trust pinned passes:\n${onChain.stdout}${onChain.stderr}`);
  t.match(onChain.stdout, /valid +data\/evidence\/04-evidence\.photo +receipt: evidence\.photo, block \d+ at \d{4}-/, "one line per item, with the block and its time from the chain");
  t.match(onChain.stdout, /^valid: \d+ checks/m, "and a summary");
  const disclosureFile = files.find((f) => f.startsWith("data/evidence/05-") && f.endsWith("/disclosure.json"))!;
  t.ok(disclosureFile, "the order committed field by field has a disclosure in its folder");
  const disclosure = JSON.parse(await readFile(join(bag, disclosureFile), "utf8")) as { disclosures: string[]; payload: { _sd: string[] } };
  const fields = disclosure.disclosures.map((d) => (JSON.parse(Buffer.from(d, "base64url").toString("utf8")) as [string, string, unknown])[1]);
  t.same(fields, ["currency", "items", "orderRef", "placedAt", "total"], "every field the service holds, by name; the erased buyer is not among them");
  t.equal(disclosure.payload._sd.length, 6, "while the payload still commits to six fields");
  t.match(onChain.stdout, new RegExp(`valid +${disclosureFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +disclosure: 5 field\\(s\\) disclosed \\(currency, items, orderRef, placedAt, total\\), 1 hidden`), "verify-bundle checks it, naming what stays hidden");
  const untrusted = await tracemark(["verify-bundle", zipPath, "--rpc", node.url]);
  t.equal(untrusted.code, 5, "without trust, untrusted");

  const html = await readFile(join(bag, "data/report.html"), "utf8");
  t.match(html, /第十六条/);
  t.match(html, /What this report cannot show/);
  const text = await run("pdftotext", ["-layout", join(bag, "data/report.pdf"), "-"]);
  t.equal(text.code, 0);
  t.match(text.stdout, /电子证据报告/, "the PDF's text comes back as Chinese");
  t.match(text.stdout, /本报告不能证明的内容/);
  t.match(text.stdout, /Evidence report/);
  t.match(html, /<table class="disclosed">[\s\S]*<code>&quot;199\.00&quot;<\/code>[\s\S]*Fields not disclosed[\s\S]*<code>1<\/code>/, "the report shows the order's disclosed fields and how many stay hidden");
  t.match(text.stdout, /Fields disclosed one by one/, "in the PDF too");
  const fonts = await run("pdffonts", [join(bag, "data/report.pdf")]);
  t.match(fonts.stdout, /NotoSansCJKsc-Regular +CID Type 0C +Identity-H +yes +yes/, "the CJK font is embedded (a subset)");
  const page = await run("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", join(bag, "data/report.pdf"), join(work, "page")]);
  t.equal(page.code, 0, page.stderr);
  await cp(join(work, "page.png"), SCREENSHOT);

  t.test("a one-byte change to any file, record or receipt fails, naming the file and the step", async (t) => {
    const receiptFile = files.find((f) => f.startsWith("data/evidence/02-") && f.endsWith("receipt.json"))!;
    const envelopeFile = files.find((f) => f.startsWith("data/timeline/03-") && f.endsWith("envelope.json"))!;
    const payloadFile = files.find((f) => f.startsWith("data/evidence/01-") && f.endsWith("payload.json")) ?? files.find((f) => f.startsWith("data/timeline/01-") && f.endsWith("payload.json"))!;
    const receiptText = await readFile(join(bag, receiptFile), "utf8");
    const saltAt = receiptText.indexOf('"salt": "') + 9;
    const cases: Array<{ what: string; file: string; at: number; step: RegExp; rehashed: RegExp; named: string }> = [
      { what: "the consumer's photo", file: photoFile, at: 100, step: /manifest/, rehashed: /contentHash/, named: photoFile },
      { what: "a payload", file: payloadFile, at: 3, step: /manifest/, rehashed: /contentHash/, named: payloadFile },
      // A hex digit one bit off: 'a' (0x61) becomes '`' is not hex, so flip a digit to its neighbour.
      { what: "a receipt's salt", file: receiptFile, at: saltAt, step: /manifest/, rehashed: /leafHash|auditPath|format/, named: receiptFile },
      { what: "a timeline record's envelope", file: envelopeFile, at: 10, step: /manifest/, rehashed: /envelope/, named: envelopeFile },
    ];
    for (const c of cases) {
      const copy = join(work, `tampered-${cases.indexOf(c)}`);
      await cp(bag, copy, { recursive: true });
      if (c.file === receiptFile) {
        const text = await readFile(join(copy, c.file), "utf8");
        const digit = text[c.at]!;
        await writeFile(join(copy, c.file), text.slice(0, c.at) + (digit === "0" ? "1" : "0") + text.slice(c.at + 1));
      } else await flipByte(join(copy, c.file), c.at);
      const res = await tracemark(["verify-bundle", copy, "--offline"]);
      t.equal(res.code, 1, `${c.what}: invalid`);
      t.match(res.stdout, new RegExp(`invalid +${c.named.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +${c.step.source}`), `${c.what}: names ${c.named} and the manifest`);
      const sums = await run("sha256sum", ["--quiet", "-c", "manifest-sha256.txt"], copy);
      t.not(sums.code, 0, `${c.what}: sha256sum -c fails too`);
      // A forger who redoes the manifests is caught by the records themselves.
      await rehash(copy);
      const forged = await tracemark(["verify-bundle", copy, "--offline"]);
      t.equal(forged.code, 1, `${c.what}, manifests redone: still invalid`);
      t.match(forged.stdout, new RegExp(`invalid +data/\\S+ +(${c.rehashed.source})`), `${c.what}, manifests redone: the record's step fails:\n${forged.stdout}`);
    }

    // A disclosed value changed (the order's total), re-encoded with its own salt and the
    // manifests redone: the disclosure no longer hashes to a digest the record commits to.
    const forgedDisclosure = join(work, "tampered-disclosure");
    await cp(bag, forgedDisclosure, { recursive: true });
    const document = JSON.parse(await readFile(join(forgedDisclosure, disclosureFile), "utf8")) as { disclosures: string[] };
    document.disclosures = document.disclosures.map((d) => {
      const [salt, name, value] = JSON.parse(Buffer.from(d, "base64url").toString("utf8")) as [string, string, JsonValue];
      return name === "total" ? encodeDisclosure(salt, name, "19.90").disclosure : encodeDisclosure(salt, name, value).disclosure;
    });
    await writeFile(join(forgedDisclosure, disclosureFile), `${JSON.stringify(document, null, 2)}\n`);
    const unsummed = await tracemark(["verify-bundle", forgedDisclosure, "--offline"]);
    t.match(unsummed.stdout, new RegExp(`invalid +${disclosureFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +manifest`), "a changed disclosure: the manifest names it");
    await rehash(forgedDisclosure);
    const forged = await tracemark(["verify-bundle", forgedDisclosure, "--offline"]);
    t.equal(forged.code, 1, "a changed disclosed value, manifests redone: invalid");
    t.match(forged.stdout, new RegExp(`invalid +${disclosureFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +disclosure: DISCLOSURE_DIGEST_UNKNOWN`), `names the file and the step:\n${forged.stdout}`);

    // And in the ZIP itself: the photo is stored, not deflated, so its bytes are in the file as is.
    const zip = await readFile(zipPath);
    const at = zip.indexOf(photo.subarray(0, 64));
    t.ok(at > 0, "the photo's bytes are in the ZIP");
    zip[at + 100] = zip[at + 100]! ^ 0x01;
    const tamperedZip = join(work, "tampered.zip");
    await writeFile(tamperedZip, zip);
    const res = await tracemark(["verify-bundle", tamperedZip, "--offline"]);
    t.equal(res.code, 1);
    t.match(res.stdout, new RegExp(`invalid +${photoFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} +manifest`), "the ZIP's changed byte names the photo");
  });
});
