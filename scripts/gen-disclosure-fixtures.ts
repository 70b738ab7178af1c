// Writes the frozen selective-disclosure vectors under test/fixtures/disclosure/ (docs/disclosure-v1.md).
// Run ONCE: the vectors are checked in and test/merkle/disclosure.test.ts reads them, so that a
// change to the bytes fails a test instead of silently producing new vectors. Salts are derived
// from fixed strings so that anyone can reproduce every byte.
//
//   node scripts/gen-disclosure-fixtures.ts [--force]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildTree,
  canonicalBytes,
  commitFields,
  disclosureDigest,
  discloseFields,
  encodeDisclosure,
  leafHash,
  recordHash,
  RECEIPT_FORMAT,
  sdContentHash,
  sha256Hex,
} from "../src/merkle/index.ts";
import type { DisclosureDocument, Envelope, JsonValue, Receipt, VerificationCode } from "../src/merkle/index.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "test/fixtures/disclosure");
if (existsSync(join(out, "index.json")) && !process.argv.includes("--force")) {
  console.log("test/fixtures/disclosure already exists: frozen, not regenerated (--force to overwrite)");
  process.exit(0);
}
mkdirSync(out, { recursive: true });
const write = (name: string, data: unknown) => writeFileSync(join(out, name), `${JSON.stringify(data, null, 2)}\n`);
const fixed = (label: string) => sha256Hex(`tracemark disclosure vector ${label}`);

// An order as src/evidence/orders commits it: every top-level field separately.
const SUBJECT = "urn:tracemark:order:0b9f5c1e-5d1a-4c36-9a52-3f0a3c1f7e01:DY-20261111-0042";
const fields: { [name: string]: JsonValue } = {
  orderRef: "DY-20261111-0042",
  placedAt: "2026-11-11T12:03:05Z",
  currency: "CNY",
  total: "398.00",
  items: [
    { gtin: "06905678000014", serial: "SZ2611A-0007", price: "199.00" },
    { gtin: "06905678000014", serial: "SZ2611A-0008", price: "199.00" },
  ],
  buyer: { id: "douyin:7781203344", phone: "+86 138 0013 8000" },
};
const { payload, disclosures } = commitFields(fields, (name) => fixed(`salt ${name}`));

const envelope: Envelope = {
  v: 1,
  kind: "evidence.order",
  subject: SUBJECT,
  contentHash: sdContentHash(payload),
  mediaType: "application/json",
  submitter: "merchant:0b9f5c1e-5d1a-4c36-9a52-3f0a3c1f7e01",
  submittedAt: "2026-11-11T12:03:06.120Z",
  prev: null,
};
const salt = fixed("record salt");
const rHash = recordHash(envelope);
// The record is leaf 1 of a batch of 3; the other two leaves are arbitrary.
const leaves = [fixed("leaf 0"), leafHash(salt, rHash), fixed("leaf 2")];
const tree = buildTree(leaves.map((l) => Buffer.from(l, "hex")));
const receipt: Receipt = {
  format: RECEIPT_FORMAT,
  record: { envelope, recordHash: rHash, salt },
  inclusion: { leafHash: leaves[1]!, leafIndex: 1, treeSize: 3, auditPath: tree.auditPath(1).map((h) => h.toString("hex")), root: tree.root.toString("hex") },
  anchor: null,
};

// The worked example of docs/disclosure-v1.md, every intermediate value spelled out.
write("worked-example.json", {
  description: "An order's fields committed one by one: each disclosure is base64url(UTF-8(RFC 8785 [salt, name, value])), its digest SHA-256 of the disclosure's ASCII, hex; the payload lists the digests sorted; contentHash is SHA-256 of the payload's RFC 8785 form.",
  fields,
  disclosures: disclosures.map((d) => ({ name: d.name, salt: d.salt, value: d.value, array: canonicalBytes([d.salt, d.name, d.value]).toString("utf8"), disclosure: d.disclosure, digest: d.digest })),
  payload,
  payloadCanonical: canonicalBytes(payload).toString("utf8"),
  contentHash: envelope.contentHash,
  envelope,
  recordHash: rHash,
});

const valid = discloseFields(receipt, payload, disclosures, ["total", "items"]);
const index: { name: string; status: "valid" | "invalid"; code?: VerificationCode; disclosed?: string[]; hidden?: number; description: string }[] = [];
const vector = (name: string, document: unknown, expect: Omit<(typeof index)[number], "name">) => {
  write(`${name}.json`, document);
  index.push({ name, ...expect });
};
const reencode = (name: string, saltHex: string, value: JsonValue) => encodeDisclosure(saltHex, name, value).disclosure;
const total = disclosures.find((d) => d.name === "total")!;
const items = disclosures.find((d) => d.name === "items")!;

vector("valid-price-and-items", valid, { status: "valid", disclosed: ["total", "items"], hidden: 4, description: "the order's total and its items (serials, prices) shown; buyer, currency, orderRef, placedAt hidden" });
vector("valid-nothing-disclosed", { ...valid, disclosures: [] }, { status: "valid", disclosed: [], hidden: 6, description: "no field shown: proves only that the record exists with six fields" });
vector("tampered-changed-value", { ...valid, disclosures: [reencode("total", total.salt, "39.80"), items.disclosure] }, {
  status: "invalid", code: "DISCLOSURE_DIGEST_UNKNOWN", description: "the total re-encoded with another value: its digest is not in _sd",
});
vector("tampered-changed-salt", { ...valid, disclosures: [reencode("total", fixed("another salt"), total.value), items.disclosure] }, {
  status: "invalid", code: "DISCLOSURE_DIGEST_UNKNOWN", description: "the total re-encoded with another salt: its digest is not in _sd",
});
const foreign = encodeDisclosure(fixed("foreign salt"), "total", "1.00");
vector("tampered-digest-not-in-list", { ...valid, disclosures: [total.disclosure, foreign.disclosure] }, {
  status: "invalid", code: "DISCLOSURE_DIGEST_UNKNOWN", description: "a well-formed disclosure of another record, whose digest the payload does not list",
});
vector("tampered-digest-added-to-list", { ...valid, payload: { ...payload, _sd: [...payload._sd, foreign.digest].sort() }, disclosures: [foreign.disclosure] }, {
  status: "invalid", code: "CONTENT_HASH_MISMATCH", description: "a foreign digest slipped into _sd: the payload no longer hashes to envelope.contentHash",
});
vector("tampered-duplicate-field-name", { ...valid, disclosures: [total.disclosure, total.disclosure] }, {
  status: "invalid", code: "DISCLOSURE_DUPLICATE", description: "the same disclosure twice: a field shown twice is refused",
});
// A payload that committed two digests to one name: the issuer cheated; the verifier refuses it.
const twice = [total, encodeDisclosure(fixed("second total"), "total", "1.00")];
const twicePayload = { _sd_alg: "sha-256" as const, _sd: twice.map((d) => d.digest).sort() };
const twiceEnvelope: Envelope = { ...envelope, contentHash: sdContentHash(twicePayload) };
const twiceHash = recordHash(twiceEnvelope);
const twiceLeaf = leafHash(salt, twiceHash);
const twiceReceipt: Receipt = { ...receipt, record: { envelope: twiceEnvelope, recordHash: twiceHash, salt }, inclusion: { leafHash: twiceLeaf, leafIndex: 0, treeSize: 1, auditPath: [], root: twiceLeaf } };
const twiceDoc: DisclosureDocument = { format: "tracemark.disclosure.v1", receipt: twiceReceipt, payload: twicePayload, disclosures: twice.map((d) => d.disclosure) };
vector("tampered-two-digests-one-name", twiceDoc, {
  status: "invalid", code: "DISCLOSURE_DUPLICATE", description: "a record committing two values for one field name: showing both is refused (the verifier cannot say which one holds)",
});
const noSalt = Buffer.from(JSON.stringify(["total", "398.00"])).toString("base64url");
vector("tampered-missing-field", { ...valid, disclosures: [noSalt] }, {
  status: "invalid", code: "DISCLOSURE_MALFORMED", description: "a disclosure of two elements (no salt): every disclosure is exactly [salt, name, value]",
});
vector("tampered-payload-missing", (({ payload: _p, ...rest }) => rest)(valid), {
  status: "invalid", code: "MALFORMED_DISCLOSURE", description: "the document has no payload member",
});
write("index.json", { description: "Disclosure v1 vectors: each file is a tracemark.disclosure.v1 document and its offline verification outcome.", vectors: index });
console.log(`wrote ${index.length} vectors and the worked example under test/fixtures/disclosure (digest of "total": ${disclosureDigest(total.disclosure)})`);
