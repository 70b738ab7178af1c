import t from "tap";
import { Anchorer } from "../../src/pipeline/anchorer.ts";
import { anchorPolicy } from "../../src/pipeline/pipeline.ts";
import { sealBatch } from "../../src/pipeline/sealer.ts";
import { bearer, buildTestApp, merchantKey } from "../support/app.ts";

t.test("POST /v1/verify", async (t) => {
  const h = await buildTestApp({ PUBLIC_RATE_LIMIT: "40" });
  t.teardown(h.close);
  const merchant = await merchantKey(h.database);
  const file = Buffer.from("screenshot bytes of the host's claim\n");
  const { sha256Hex } = await import("../../src/merkle/index.ts");
  const accepted = await h.app.inject({
    method: "POST",
    url: "/v1/records",
    headers: bearer(merchant),
    payload: { kind: "stream.snapshot", subject: "stream:7", contentHash: sha256Hex(file), mediaType: "image/png" },
  });
  const id = accepted.json().id as string;
  await sealBatch(h.database.db, 100);
  const anchorer = new Anchorer(h.database.db, h.chain, anchorPolicy(h.config), { info: () => {}, warn: () => {} });
  while (await anchorer.step());
  const receipt = (await h.app.inject({ method: "GET", url: `/v1/records/${id}/receipt`, headers: bearer(merchant) })).json();
  t.equal(receipt.anchor.status, "final");

  const verify = (payload: object) => h.app.inject({ method: "POST", url: "/v1/verify", payload });

  t.test("needs no API key and gives a verdict for every step", async (t) => {
    const res = await verify({ receipt, content: file.toString("base64") });
    t.equal(res.statusCode, 200);
    const report = res.json();
    t.equal(report.status, "valid");
    t.same(
      report.steps.map((s: { step: string; ok: boolean | null }) => [s.step, s.ok]),
      [
        ["format", true], ["recordHash", true], ["contentHash", true], ["leafHash", true], ["auditPath", true],
        ["trust", true], ["chainId", true], ["contract", true], ["rootOnChain", true], ["inclusionOnChain", true],
        ["transaction", true], ["anchorLog", true], ["blockTime", true], ["deployBlock", true],
      ],
    );
  });

  t.test("checks against exactly the service's own trust document, and says so", async (t) => {
    const served = (await h.app.inject({ method: "GET", url: "/.well-known/tracemark-trust.json" })).json();
    const report = (await verify({ receipt })).json();
    t.same(report.trust, served.anchors);
    t.same(report.trust, [{ chainId: Number(h.chain.chainId), contract: h.chain.contractAddress, deployBlock: h.chain.deployBlock, name: "Tracemark BatchAnchor" }]);
  });

  t.test("rejects a receipt that names another contract, at the trust step", async (t) => {
    const other = structuredClone(receipt);
    other.anchor.contract = "0x000000000000000000000000000000000000dEaD";
    const report = (await verify({ receipt: other })).json();
    t.equal(report.status, "invalid");
    t.match(report.steps.find((s: { ok: boolean | null }) => s.ok === false), { step: "trust", code: "CONTRACT_NOT_TRUSTED" });
  });

  t.test("says which step failed for other content", async (t) => {
    const report = (await verify({ receipt, content: Buffer.from("edited").toString("base64") })).json();
    t.equal(report.status, "invalid");
    t.equal(report.steps.find((s: { ok: boolean | null }) => s.ok === false).step, "contentHash");
  });

  t.test("says which step failed for a tampered receipt", async (t) => {
    const tampered = structuredClone(receipt);
    tampered.record.envelope.subject = "stream:8";
    const report = (await verify({ receipt: tampered })).json();
    t.equal(report.status, "invalid");
    t.equal(report.steps.find((s: { ok: boolean | null }) => s.ok === false).step, "recordHash");
  });

  t.test("accepts the content as a multipart upload", async (t) => {
    const boundary = "----tracemark";
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="receipt"; filename="receipt.json"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(receipt)}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="shot.png"\r\nContent-Type: image/png\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const res = await h.app.inject({ method: "POST", url: "/v1/verify/upload", headers: { "content-type": `multipart/form-data; boundary=${boundary}` }, payload: body });
    t.equal(res.statusCode, 200);
    t.equal(res.json().status, "valid");
    t.equal(res.json().steps.find((s: { step: string }) => s.step === "contentHash").ok, true);
  });

  t.test("rejects a request without a receipt, naming the field", async (t) => {
    const res = await verify({});
    t.equal(res.statusCode, 400);
    t.equal(res.json().error.field, "body.receipt");
    const bad64 = await verify({ receipt, content: "***" });
    t.equal(bad64.statusCode, 400);
    t.equal(bad64.json().error.field, "body.content");
  });

  t.test("is rate-limited per client", async (t) => {
    let limited = null;
    for (let i = 0; i < 45 && !limited; i++) {
      const res = await verify({ receipt });
      if (res.statusCode === 429) limited = res;
    }
    t.ok(limited, "answers 429 past the limit");
    t.equal(limited?.json().error.code, "RATE_LIMITED");
  });
});
