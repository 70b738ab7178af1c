// parseReceipt: a receipt v1 comes back typed; anything else becomes a typed VerificationError,
// and verification of it a failed "format" step, never an exception.
import t from "tap";
import { parseReceipt, verifyReceiptOffline, VerificationError, VERIFICATION_CODES } from "../../src/merkle/index.ts";
import { validReceipts } from "../support/receipt-fixtures.ts";

const valid = validReceipts().find((f) => f.name === "evidence-file")!.receipt as Record<string, unknown>;
const pendingAnchor = validReceipts().find((f) => f.name === "anchor-pending")!.receipt as Record<string, unknown>;

/** Every JSON pointer into `value` that names a member or element. */
function pointers(value: unknown, at = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  return entries.flatMap(([k, v]) => [`${at}/${k}`, ...pointers(v, `${at}/${k}`)]);
}

function replaced(root: unknown, pointer: string, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const keys = pointer.split("/").slice(1);
  const last = keys.pop()!;
  let node = copy as Record<string, unknown>;
  for (const k of keys) node = node[k] as Record<string, unknown>;
  if (value === DELETE) delete node[last];
  else node[last] = value;
  return copy;
}
const DELETE = Symbol("delete");

t.test("parses every frozen valid receipt", async (t) => {
  for (const { name, receipt } of validReceipts()) t.doesNotThrow(() => parseReceipt(receipt), name);
});

t.test("refuses non-objects with MALFORMED_RECEIPT", async (t) => {
  for (const input of [undefined, null, 0, 42, "tracemark.receipt.v1", true, [], [valid], 1n, Symbol("x"), () => valid]) {
    t.throws(() => parseReceipt(input), { name: "VerificationError", code: "MALFORMED_RECEIPT" }, String(typeof input));
    const report = verifyReceiptOffline(input);
    t.equal(report.status, "invalid");
    t.same(report.steps[0], { ...report.steps[0], step: "format", ok: false, code: "MALFORMED_RECEIPT" });
  }
});

t.test("names the member that is wrong", async (t) => {
  const cases: [string, unknown, string][] = [
    ["/record/salt", DELETE, "/record"],
    ["/inclusion/leafIndex", -1, "/inclusion/leafIndex"],
    ["/inclusion/auditPath/1", "0x" + "a".repeat(62), "/inclusion/auditPath/1"],
    ["/anchor/blockTime", "yesterday", "/anchor/blockTime"],
    ["/anchor/contract", "0x1234", "/anchor/contract"],
  ];
  for (const [pointer, value, path] of cases) {
    try {
      parseReceipt(replaced(valid, pointer, value));
      t.fail(`${pointer} accepted`);
    } catch (error) {
      t.type(error, VerificationError);
      t.equal((error as VerificationError).path, path, pointer);
      t.match((error as VerificationError).message, path);
    }
  }
});

t.test("malformed members (missing, wrong type, non-hex, wrong length, huge, negative, null) fail typed and never throw", async (t) => {
  const bad: unknown[] = [DELETE, null, true, -1, 1.5, 2 ** 53, 1e300, "", "zz", "0".repeat(63), "G".repeat(64), "A".repeat(64), [], {}, "x".repeat(100_000)];
  let checked = 0;
  for (const base of [valid, pendingAnchor]) {
    for (const pointer of pointers(base)) {
      for (const value of bad) {
        const input = replaced(base, pointer, value);
        if (JSON.stringify(input) === JSON.stringify(base)) continue; // e.g. prev: null replaced by null
        let report;
        try {
          report = verifyReceiptOffline(input);
        } catch (error) {
          t.fail(`${pointer} = ${String(value)} threw ${String(error)}`);
          continue;
        }
        checked++;
        if (report.status === "invalid") {
          const failure = report.steps.find((s) => s.ok === false)!;
          if (!VERIFICATION_CODES.includes(failure.code!)) t.fail(`unknown code ${failure.code}`);
        } else if (!(pointer.startsWith("/anchor") && report.status === "valid")) {
          // The anchor's contents are the chain's business (an anchor of null is well-formed);
          // everything else the receipt says is covered by a hash or the schema.
          t.fail(`${pointer} = ${String(value).slice(0, 20)} gave ${report.status}`);
        }
      }
    }
  }
  t.ok(checked > 800, `${checked} variants`);
});

t.test("rejects unknown members outside the envelope and accepts extra members inside it", async (t) => {
  t.throws(() => parseReceipt({ ...valid, signature: "x" }), { code: "MALFORMED_RECEIPT" });
  t.throws(() => parseReceipt(replaced(valid, "/inclusion/extra", 1)), { code: "MALFORMED_RECEIPT" });
  t.throws(() => parseReceipt(replaced(valid, "/anchor/extra", 1)), { code: "MALFORMED_RECEIPT" });
  t.doesNotThrow(() => parseReceipt(replaced(valid, "/record/envelope/extra", { any: ["json", 1, null] })));
});

t.test("refuses an unknown receipt format with UNSUPPORTED_FORMAT, and a missing one as malformed", async (t) => {
  t.throws(() => parseReceipt({ ...valid, format: "tracemark.receipt.v2" }), { code: "UNSUPPORTED_FORMAT" });
  t.throws(() => parseReceipt({ ...valid, format: undefined }), { code: "MALFORMED_RECEIPT" });
  t.throws(() => parseReceipt({ ...valid, format: "something.else" }), { code: "MALFORMED_RECEIPT" });
});

t.test("refuses an anchor for a record that is not sealed", async (t) => {
  t.throws(() => parseReceipt({ ...valid, inclusion: null }), { code: "MALFORMED_RECEIPT" });
});

t.test("refuses a pending anchor that names a block and a mined one that does not", async (t) => {
  t.throws(() => parseReceipt(replaced(pendingAnchor, "/anchor/blockNumber", 12)), { code: "MALFORMED_RECEIPT" });
  t.throws(() => parseReceipt(replaced(valid, "/anchor/blockNumber", null)), { code: "MALFORMED_RECEIPT" });
});

t.test("survives hostile JavaScript input: getters that throw, proxies, cycles", async (t) => {
  const throwing = structuredClone(valid) as Record<string, unknown>;
  Object.defineProperty(throwing, "record", { enumerable: true, get: () => { throw new Error("boom"); } });
  const cyclic = structuredClone(valid) as { record: { envelope: Record<string, unknown> } };
  cyclic.record.envelope["self"] = cyclic.record.envelope;
  const proxy = new Proxy(structuredClone(valid), { get: () => { throw new Error("trap"); } });
  for (const [what, input] of [["getter", throwing], ["cycle", cyclic], ["proxy", proxy]] as const) {
    t.doesNotThrow(() => verifyReceiptOffline(input), what);
    t.equal(verifyReceiptOffline(input).status, "invalid", what);
  }
});
