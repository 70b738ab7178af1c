// Writes the frozen test vectors under test/fixtures/ and docs/receipt-v1.schema.json.
//
// Run ONCE: the fixtures are checked in and the tests read them, so that a change to the hashing
// code that alters any byte shows up as a failing test instead of a silently regenerated vector.
// Changing the bytes means a new receipt format (STYLE.md habit 5). Existing fixtures are not
// overwritten unless --force is given; the schema file is always rewritten from the TypeBox
// schema (test/merkle/schema.test.ts checks that it is current).
//
//   node scripts/gen-fixtures.ts [--force]
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildTree,
  contentHashOfBytes,
  contentHashOfJson,
  canonicalJson,
  leafHash,
  recordHash,
  RECEIPT_FORMAT,
  receiptJsonSchema,
  sha256Hex,
} from "../src/merkle/index.ts";
import type { Envelope, JsonValue, MinedAnchor, PendingAnchor, Receipt } from "../src/merkle/index.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixtures = join(root, "test/fixtures");
const force = process.argv.includes("--force");

function write(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof data === "string" ? data : `${JSON.stringify(data, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------
// docs/receipt-v1.schema.json

write(join(root, "docs/receipt-v1.schema.json"), receiptJsonSchema());

// ---------------------------------------------------------------------------------------------
// On-chain tampered vectors (docs/receipt-v1.md "Trust"): their receipts depend on block and
// transaction hashes, so they are declarative — a scenario that test/support/forgeries.ts plays
// out on a real chain — and the first step that must fail when the verifier trusts the operator's
// contract. Written when missing (they were added after the frozen vectors below).

const onChain: Record<string, { description: string; scenario: string; base: string; expectedFailure: { step: string; code: string } }> = {
  "lookalike-contract": {
    description: "an invented record anchored by a copy of BatchAnchor that another account deployed",
    scenario: "lookalike-contract",
    base: "invented",
    expectedFailure: { step: "trust", code: "CONTRACT_NOT_TRUSTED" },
  },
  "yes-to-everything-contract": {
    description: "an invented record 'anchored' by a contract whose anchorOf claims block 1 and whose verifyInclusion always says yes",
    scenario: "yes-to-everything-contract",
    base: "invented",
    expectedFailure: { step: "trust", code: "CONTRACT_NOT_TRUSTED" },
  },
  "foreign-tx-hash": {
    description: "a genuine receipt whose txHash is another transaction (a plain transfer)",
    scenario: "foreign-tx-hash",
    base: "valid/evidence-file.json",
    expectedFailure: { step: "anchorLog", code: "ANCHOR_LOG_MISSING" },
  },
  "tx-hash-never-sent": {
    description: "a genuine receipt whose txHash no chain has seen",
    scenario: "tx-hash-never-sent",
    base: "valid/evidence-file.json",
    expectedFailure: { step: "transaction", code: "TX_NOT_FOUND" },
  },
  "tx-reverted": {
    description: "a genuine receipt whose txHash is a transaction of the trusted contract that reverted",
    scenario: "tx-reverted",
    base: "valid/evidence-file.json",
    expectedFailure: { step: "transaction", code: "TX_FAILED" },
  },
  "tx-of-another-root": {
    description: "a genuine receipt whose txHash is the trusted contract's anchoring of another root",
    scenario: "tx-of-another-root",
    base: "valid/evidence-file.json",
    expectedFailure: { step: "anchorLog", code: "ANCHOR_LOG_MISMATCH" },
  },
  "anchored-before-deployment": {
    description: "a root anchored in a block before the trusted deployBlock (shown with a trust whose deployBlock is later than the anchor)",
    scenario: "anchored-before-deployment",
    base: "invented",
    expectedFailure: { step: "deployBlock", code: "ANCHORED_BEFORE_DEPLOYMENT" },
  },
};
for (const [name, vector] of Object.entries(onChain)) {
  const path = join(fixtures, "receipts/tampered/on-chain", `${name}.json`);
  if (force || !existsSync(path)) write(path, vector);
}

if (existsSync(join(fixtures, "merkle-trees.json")) && !force) {
  console.log("test/fixtures already exist: frozen, not regenerated (--force to overwrite)");
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// Tree vectors: leaf hashes, root and every audit path for a range of shapes.

const fixtureHash = (label: string) => sha256Hex(`tracemark fixture ${label}`);

const TREE_SIZES = [1, 2, 3, 4, 5, 7, 8, 16, 31, 100];
write(join(fixtures, "merkle-trees.json"), {
  description:
    "RFC 9162 trees over leaf hashes. leaves[i] = leafHash(salt_i, recordHash_i) with salt_i = SHA-256(\"tracemark fixture salt i\") " +
    "and recordHash_i = SHA-256(\"tracemark fixture record i\"); auditPaths[i] = PATH(i, D[size]), leaf to root. Hex, no 0x.",
  trees: TREE_SIZES.map((size) => {
    const leaves = Array.from({ length: size }, (_, i) => leafHash(fixtureHash(`salt ${i}`), fixtureHash(`record ${i}`)));
    const tree = buildTree(leaves.map((l) => Buffer.from(l, "hex")));
    return {
      size,
      leaves,
      root: tree.root.toString("hex"),
      auditPaths: leaves.map((_, i) => tree.auditPath(i).map((h) => h.toString("hex"))),
    };
  }),
});

// ---------------------------------------------------------------------------------------------
// Record vectors: envelope → canonical text → recordHash; salt + recordHash → leafHash.

const at = (second: number) => new Date(Date.UTC(2025, 5, 1, 12, 0, second)).toISOString();
const ITEM = "urn:tracemark:item:09506000134352:A1B2C3";
const STREAM = "urn:tracemark:stream:ls-20250601-001";
const MERCHANT_KEY = "key_merchant_0001";
const CONSUMER = "anonymous";

const eventPayload = (step: string, extra: Record<string, JsonValue> = {}): JsonValue => ({
  event: step,
  location: "urn:epc:id:sgln:9506000.13435.0",
  at: "2025-05-30T08:00:00Z",
  ...extra,
});
const evidenceFile = Buffer.from("Order 2025-0601-7781: buyer asked for a refund, seller agreed on the stream at 12:03.\n", "utf8");
const payload5 = eventPayload("shipping", { temperatureC: 4.5, carrier: "SF Express", seals: ["S-1001", "S-1002"] });

type Draft = Omit<Envelope, "prev"> & { prev?: string | null };
const drafts: Draft[] = [
  { v: 1, kind: "provenance.event", subject: ITEM, contentHash: contentHashOfJson(eventPayload("harvest")), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(0) },
  { v: 1, kind: "stream.snapshot", subject: STREAM, contentHash: contentHashOfJson({ viewers: 1520, price: "59.90", currency: "CNY" }), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(1), prev: null },
  { v: 1, kind: "evidence.file", subject: "urn:tracemark:case:2025-0601-7781", contentHash: contentHashOfBytes(evidenceFile), mediaType: "text/plain; charset=utf-8", submitter: CONSUMER, submittedAt: at(2), prev: null, fileName: "chat-log.txt" },
  { v: 1, kind: "provenance.event", subject: ITEM, contentHash: contentHashOfJson(eventPayload("packing")), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(3) },
  { v: 1, kind: "evidence.hash", subject: "urn:tracemark:case:2025-0601-7782", contentHash: sha256Hex("a screenshot the consumer keeps"), mediaType: "image/png", submitter: CONSUMER, submittedAt: at(4), prev: null },
  { v: 1, kind: "provenance.event", subject: ITEM, contentHash: contentHashOfJson(payload5), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(5), lot: "L-2025-05", "名称": "有机茶叶" },
  { v: 1, kind: "transaction.evidence", subject: STREAM, contentHash: contentHashOfJson({ order: "2025-0601-7781", amount: "59.90" }), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(6), prev: null },
];
// prev chains the item's provenance events: 0 → 3 → 5.
const envelopes: Envelope[] = [];
let lastOfItem: string | null = null;
for (const draft of drafts) {
  const envelope = { ...draft, prev: draft.subject === ITEM ? lastOfItem : (draft.prev ?? null) } as Envelope;
  envelopes.push(envelope);
  if (draft.subject === ITEM) lastOfItem = recordHash(envelope);
}
const salts = envelopes.map((_, i) => fixtureHash(`receipt salt ${i}`));
const recordHashes = envelopes.map(recordHash);
const leaves = envelopes.map((_, i) => leafHash(salts[i]!, recordHashes[i]!));
const batch = buildTree(leaves.map((l) => Buffer.from(l, "hex")));

write(join(fixtures, "records.json"), {
  description: "Envelopes with their RFC 8785 canonical text, recordHash = SHA-256(canonical UTF-8 bytes), salt and leafHash = SHA-256(0x00 || salt || recordHash).",
  records: envelopes.map((envelope, i) => ({
    envelope,
    canonical: canonicalJson(envelope),
    recordHash: recordHashes[i],
    salt: salts[i],
    leafHash: leaves[i],
  })),
});

// ---------------------------------------------------------------------------------------------
// Receipts. Anchor values are well-formed but fake: these are offline vectors.

const mined = (status: "anchored" | "final"): MinedAnchor => ({
  status,
  chainId: 31337,
  contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  batchSeq: 3,
  txHash: `0x${fixtureHash("tx batch 3")}`,
  blockNumber: 12,
  blockHash: `0x${fixtureHash("block 12")}`,
  blockTime: "2025-06-01T12:00:12Z",
});
const pending: PendingAnchor = { ...mined("anchored"), status: "pending", blockNumber: null, blockHash: null, blockTime: null };

function receiptFor(i: number, anchor: Receipt["anchor"] | "none" = mined("anchored")): Receipt {
  return {
    format: RECEIPT_FORMAT,
    record: { envelope: envelopes[i]!, recordHash: recordHashes[i]!, salt: salts[i]! },
    inclusion: {
      leafHash: leaves[i]!,
      leafIndex: i,
      treeSize: batch.size,
      auditPath: batch.auditPath(i).map((h) => h.toString("hex")),
      root: batch.root.toString("hex"),
    },
    anchor: anchor === "none" ? null : anchor,
  };
}

// A batch of one: the root is the leaf hash and the audit path is empty.
const loneEnvelope: Envelope = { v: 1, kind: "evidence.hash", subject: "urn:tracemark:case:2025-0602-0001", contentHash: sha256Hex("a lone record"), mediaType: "application/octet-stream", submitter: CONSUMER, submittedAt: at(30), prev: null };
const loneSalt = fixtureHash("receipt salt lone");
const loneRecordHash = recordHash(loneEnvelope);
const loneLeaf = leafHash(loneSalt, loneRecordHash);
const singleLeaf: Receipt = {
  format: RECEIPT_FORMAT,
  record: { envelope: loneEnvelope, recordHash: loneRecordHash, salt: loneSalt },
  inclusion: { leafHash: loneLeaf, leafIndex: 0, treeSize: 1, auditPath: [], root: loneLeaf },
  anchor: { ...mined("final"), batchSeq: 4, txHash: `0x${fixtureHash("tx batch 4")}`, blockNumber: 15, blockHash: `0x${fixtureHash("block 15")}`, blockTime: "2025-06-01T12:00:45Z" },
};

const unsealedEnvelope: Envelope = { v: 1, kind: "provenance.event", subject: ITEM, contentHash: contentHashOfJson(eventPayload("delivered")), mediaType: "application/json", submitter: MERCHANT_KEY, submittedAt: at(40), prev: recordHashes[5]! };
const notSealed: Receipt = {
  format: RECEIPT_FORMAT,
  record: { envelope: unsealedEnvelope, recordHash: recordHash(unsealedEnvelope), salt: fixtureHash("receipt salt unsealed") },
  inclusion: null,
  anchor: null,
};

const valid: Record<string, { receipt: Receipt; offlineStatus: "valid" | "pending"; content?: { file: string; bytes: Buffer } }> = {
  "evidence-file": { receipt: receiptFor(2), offlineStatus: "valid", content: { file: "evidence-file.txt", bytes: evidenceFile } },
  "provenance-event": {
    receipt: receiptFor(5, mined("final")),
    offlineStatus: "valid",
    // Pretty-printed on purpose: a JSON payload is committed to by its RFC 8785 form.
    content: { file: "provenance-event.payload.json", bytes: Buffer.from(`${JSON.stringify(payload5, null, 4)}\n`) },
  },
  "last-leaf": { receipt: receiptFor(6), offlineStatus: "valid" },
  "first-leaf-sealed-not-anchored": { receipt: receiptFor(0, "none"), offlineStatus: "valid" },
  "anchor-pending": { receipt: receiptFor(4, pending), offlineStatus: "valid" },
  "single-leaf": { receipt: singleLeaf, offlineStatus: "valid" },
  "not-sealed": { receipt: notSealed, offlineStatus: "pending" },
};

const receipts = join(fixtures, "receipts");
const index: Record<string, unknown> = {};
for (const [name, { receipt, offlineStatus, content }] of Object.entries(valid)) {
  write(join(receipts, "valid", `${name}.json`), receipt);
  if (content !== undefined) write(join(receipts, "content", content.file), content.bytes.toString("utf8"));
  index[name] = { file: `valid/${name}.json`, offlineStatus, ...(content === undefined ? {} : { content: `content/${content.file}` }) };
}
write(join(receipts, "content", "evidence-file.altered.txt"), evidenceFile.toString("utf8").replace("agreed", "refused"));
write(join(receipts, "valid", "index.json"), {
  description: "Receipts that verify offline: offlineStatus is what verifyReceiptOffline reports (with the content, when one is named).",
  receipts: index,
});

// ---------------------------------------------------------------------------------------------
// Tampered receipts: each names the first step that must fail, and its code.

type Tampered = { description: string; expectedFailure: { step: string; code: string }; content?: string; receipt: unknown };
const base = () => structuredClone(receiptFor(2)) as Receipt & { inclusion: NonNullable<Receipt["inclusion"]> };
const last = () => structuredClone(receiptFor(6)) as Receipt & { inclusion: NonNullable<Receipt["inclusion"]> };
const flipLastHex = (hex: string) => hex.slice(0, -1) + (hex.endsWith("0") ? "1" : "0");
const malformed = (description: string, receipt: unknown): Tampered => ({ description, expectedFailure: { step: "format", code: "MALFORMED_RECEIPT" }, receipt });
const failsAt = (step: string, code: string, description: string, receipt: unknown, content?: string): Tampered => ({
  description,
  expectedFailure: { step, code },
  ...(content === undefined ? {} : { content }),
  receipt,
});
function edit<T>(value: T, change: (v: T) => void): T {
  change(value);
  return value;
}

const tampered: Record<string, Tampered> = {
  "not-an-object": malformed("a JSON array instead of a receipt object", [RECEIPT_FORMAT]),
  "format-v2": failsAt("format", "UNSUPPORTED_FORMAT", "a receipt format this verifier does not know", edit(base() as unknown as Record<string, unknown>, (r) => (r["format"] = "tracemark.receipt.v2"))),
  "missing-salt": malformed("record.salt is missing", edit(base(), (r) => delete (r.record as Partial<Receipt["record"]>).salt)),
  "uppercase-hex-root": malformed("inclusion.root in upper-case hex", edit(base(), (r) => (r.inclusion.root = r.inclusion.root.toUpperCase()))),
  "0x-prefixed-leaf-hash": malformed("inclusion.leafHash with a 0x prefix (Merkle hashes have none)", edit(base(), (r) => (r.inclusion.leafHash = `0x${r.inclusion.leafHash}`))),
  "short-audit-path-hash": malformed("an audit path hash of 63 hex digits", edit(base(), (r) => (r.inclusion.auditPath[0] = r.inclusion.auditPath[0]!.slice(1)))),
  "leaf-index-not-safe-integer": malformed("leafIndex 2^53, beyond what a JSON number holds exactly", edit(base(), (r) => (r.inclusion.leafIndex = 2 ** 53))),
  "negative-tree-size": malformed("treeSize -7", edit(base(), (r) => (r.inclusion.treeSize = -7))),
  "fractional-leaf-index": malformed("leafIndex 2.5", edit(base(), (r) => (r.inclusion.leafIndex = 2.5))),
  "leaf-index-as-string": malformed('leafIndex "2"', edit(base() as unknown as { inclusion: Record<string, unknown> }, (r) => (r.inclusion["leafIndex"] = "2"))),
  "null-record": malformed("record is null", edit(base() as unknown as Record<string, unknown>, (r) => (r["record"] = null))),
  "pending-anchor-with-block": malformed("a pending anchor that names a block", edit(receiptFor(4, pending) as Receipt, (r) => ((r.anchor as unknown as Record<string, unknown>)["blockNumber"] = 12))),
  "anchor-without-inclusion": malformed("an anchor for a record that is not sealed", { ...notSealed, anchor: mined("anchored") }),
  "unknown-member": malformed("a member receipt v1 does not define", { ...base(), note: "trust me" }),
  "lone-surrogate-in-envelope": malformed("an envelope string that is not valid Unicode (a lone surrogate)", edit(base(), (r) => (r.record.envelope["fileName"] = "chat-log\ud800.txt"))),
  "envelope-subject-altered": failsAt("recordHash", "RECORD_HASH_MISMATCH", "the envelope's subject was changed after sealing", edit(base(), (r) => (r.record.envelope.subject = "urn:tracemark:case:2025-0601-9999"))),
  "envelope-member-added": failsAt("recordHash", "RECORD_HASH_MISMATCH", "a member was added to the envelope", edit(base(), (r) => (r.record.envelope["verified"] = true))),
  "envelope-prev-altered": failsAt("recordHash", "RECORD_HASH_MISMATCH", "the envelope's prev link was changed", edit(structuredClone(receiptFor(5)), (r) => (r.record.envelope.prev = recordHashes[0]!))),
  "envelope-time-altered": failsAt("recordHash", "RECORD_HASH_MISMATCH", "submittedAt was moved one second earlier", edit(base(), (r) => (r.record.envelope.submittedAt = at(1)))),
  "content-altered": failsAt("contentHash", "CONTENT_HASH_MISMATCH", "the file shown is not the one notarized (one word changed)", base(), "content/evidence-file.altered.txt"),
  "salt-altered": failsAt("leafHash", "LEAF_HASH_MISMATCH", "the salt was changed", edit(base(), (r) => (r.record.salt = flipLastHex(r.record.salt)))),
  "envelope-and-record-hash-replaced": failsAt(
    "leafHash",
    "LEAF_HASH_MISMATCH",
    "the envelope was changed and its recordHash recomputed to match",
    edit(base(), (r) => {
      r.record.envelope.subject = "urn:tracemark:case:2025-0601-9999";
      r.record.recordHash = recordHash(r.record.envelope);
    }),
  ),
  "leaf-hash-of-another-record": failsAt("leafHash", "LEAF_HASH_MISMATCH", "inclusion.leafHash is the neighbouring record's", edit(base(), (r) => (r.inclusion.leafHash = leaves[3]!))),
  "audit-path-reordered": failsAt("auditPath", "AUDIT_PATH_INVALID", "the first two audit path hashes swapped", edit(base(), (r) => r.inclusion.auditPath.splice(0, 2, r.inclusion.auditPath[1]!, r.inclusion.auditPath[0]!))),
  "audit-path-truncated": failsAt("auditPath", "AUDIT_PATH_INVALID", "the audit path lost its last hash", edit(base(), (r) => r.inclusion.auditPath.pop())),
  "audit-path-extended": failsAt("auditPath", "AUDIT_PATH_INVALID", "an extra hash appended to the audit path", edit(base(), (r) => r.inclusion.auditPath.push(leaves[0]!))),
  "audit-path-hash-altered": failsAt("auditPath", "AUDIT_PATH_INVALID", "one bit of a sibling hash changed", edit(base(), (r) => (r.inclusion.auditPath[1] = flipLastHex(r.inclusion.auditPath[1]!)))),
  "root-altered": failsAt("auditPath", "AUDIT_PATH_INVALID", "inclusion.root changed", edit(base(), (r) => (r.inclusion.root = flipLastHex(r.inclusion.root)))),
  "leaf-index-shifted": failsAt("auditPath", "AUDIT_PATH_INVALID", "leafIndex 3 instead of 2", edit(base(), (r) => (r.inclusion.leafIndex = 3))),
  "leaf-index-equals-tree-size": failsAt("auditPath", "AUDIT_PATH_INVALID", "leafIndex 7 in a tree of 7", edit(base(), (r) => (r.inclusion.leafIndex = 7))),
  "tree-size-grown": failsAt("auditPath", "AUDIT_PATH_INVALID", "treeSize 8 for the last leaf of a tree of 7 (the path no longer fits)", edit(last(), (r) => (r.inclusion.treeSize = 8))),
  // RFC 9162 verification binds the tree size only as far as it changes the path's shape: leaf 2
  // has the same path in trees of 7 and 8. Offline this verifies; the chain's treeSize catches it.
  "tree-size-same-shape": failsAt("rootOnChain", "TREE_SIZE_MISMATCH", "treeSize 8 for leaf 2 of a tree of 7: same path shape, so only the anchored treeSize can tell", edit(base(), (r) => (r.inclusion.treeSize = 8))),
};

const dir = join(receipts, "tampered");
for (const [name, vector] of Object.entries(tampered)) write(join(dir, `${name}.json`), vector);
console.log(`wrote ${TREE_SIZES.length} trees, ${envelopes.length} records, ${Object.keys(valid).length} valid and ${Object.keys(tampered).length} tampered receipts under test/fixtures`);
