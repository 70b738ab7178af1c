// Selective disclosure v1 (docs/disclosure-v1.md) against its frozen vectors.
import t from "tap";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  canonicalJson,
  checkDisclosures,
  commitFields,
  decodeDisclosure,
  encodeDisclosure,
  sdContentHash,
  verifyDisclosureOffline,
} from "../../src/merkle/index.ts";
import type { JsonValue } from "../../src/merkle/index.ts";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/disclosure/${name}`, import.meta.url), "utf8")) as unknown;
const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

interface Vector { name: string; status: "valid" | "invalid"; code?: string; disclosed?: string[]; hidden?: number; description: string }
const { vectors } = fixture("index.json") as { vectors: Vector[] };

t.test("every frozen vector verifies offline to its recorded outcome", async (t) => {
  t.ok(vectors.length >= 10);
  for (const vector of vectors) {
    const report = verifyDisclosureOffline(fixture(`${vector.name}.json`));
    if (vector.status === "valid") {
      t.equal(report.status, "valid", `${vector.name}: ${report.summary}`);
      t.same(report.disclosure?.disclosed.map((d) => d.name), vector.disclosed, `${vector.name}: the disclosed fields`);
      t.equal(report.disclosure?.hidden, vector.hidden, `${vector.name}: the hidden count`);
    } else {
      t.equal(report.status, "invalid", vector.name);
      t.equal(report.steps.find((s) => s.ok === false)?.code, vector.code, `${vector.name}: ${vector.description}`);
      t.equal(report.disclosure, undefined, `${vector.name}: nothing is reported as disclosed`);
    }
  }
});

t.test("the worked example's bytes follow from the spec with nothing but SHA-256, base64url and RFC 8785", async (t) => {
  const example = fixture("worked-example.json") as {
    disclosures: { name: string; salt: string; value: JsonValue; array: string; disclosure: string; digest: string }[];
    payload: { _sd: string[] };
    payloadCanonical: string;
    contentHash: string;
  };
  for (const d of example.disclosures) {
    t.equal(d.array, canonicalJson([d.salt, d.name, d.value]), `${d.name}: the array is RFC 8785`);
    t.equal(d.disclosure, Buffer.from(d.array, "utf8").toString("base64url"), `${d.name}: the disclosure is base64url without padding`);
    t.equal(d.digest, sha256(d.disclosure), `${d.name}: the digest is SHA-256 of the disclosure's characters`);
  }
  t.same(example.payload._sd, example.disclosures.map((d) => d.digest).sort(), "_sd lists the digests, sorted");
  t.equal(example.contentHash, sha256(example.payloadCanonical), "contentHash is SHA-256 of the payload's canonical form");
});

t.test("a committed record discloses any subset and hides the rest", async (t) => {
  const { payload, disclosures } = commitFields({ a: 1, b: "two", c: { three: [3] } });
  t.equal(payload._sd.length, 3);
  const outcome = checkDisclosures(payload, [disclosures.find((d) => d.name === "b")!.disclosure]);
  t.equal(outcome.step.ok, true);
  t.same(outcome.disclosed.map((d) => [d.name, d.value]), [["b", "two"]]);
  t.equal(outcome.hidden, 2);
  t.not(sdContentHash(payload), sdContentHash(commitFields({ a: 1, b: "two", c: { three: [3] } }).payload), "fresh salts give another commitment to the same fields");
});

t.test("rejects reserved names, bad salts and malformed disclosures", async (t) => {
  t.throws(() => encodeDisclosure("00".repeat(32), "_sd", 1), TypeError);
  t.throws(() => encodeDisclosure("AB".repeat(32), "x", 1), TypeError);
  const bad = (text: string) => t.throws(() => decodeDisclosure(text), { code: "DISCLOSURE_MALFORMED" }, text);
  bad("not base64url!");
  bad("WyJhIiwiYiJd="); // padded
  bad(Buffer.from("[1,2,3").toString("base64url"));
  bad(Buffer.from(JSON.stringify(["00".repeat(32), "", 1])).toString("base64url"));
  bad(Buffer.from(JSON.stringify(["00".repeat(32), "a", 1, 2])).toString("base64url"));
});

t.test("a document that is not one is a failed format step, never a throw", async (t) => {
  for (const input of [null, 1, "x", [], { format: "tracemark.disclosure.v2" }, { format: "tracemark.disclosure.v1", receipt: {}, payload: { _sd_alg: "sha-256", _sd: ["zz"] }, disclosures: [] }]) {
    const report = verifyDisclosureOffline(input);
    t.equal(report.status, "invalid");
    t.equal(report.steps[0]?.step, "format");
  }
});
