// RFC 8785 canonical JSON, the input of every recordHash and of JSON contentHashes.
import t from "tap";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { canonicalJson, contentHashOfJson, MAX_JSON_DEPTH, nonJsonAt, recordHash } from "../../src/merkle/index.ts";
import type { Envelope } from "../../src/merkle/index.ts";

const fixture = (path: string) => JSON.parse(readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8")) as unknown;

t.test("canonical JSON matches RFC 8785 §3.2.2's example: sorted keys, ES6 numbers, minimal escapes", async (t) => {
  // The input is JSON text, as in the RFC, so that 4.50 and 1E30 reach the serializer as written.
  const input = JSON.parse(String.raw`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  }`);
  t.equal(
    canonicalJson(input),
    String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
  );
});

t.test("canonical JSON sorts keys by UTF-16 code units, as RFC 8785 §3.2.3's example", async (t) => {
  const input = JSON.parse(String.raw`{
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  }`);
  // Read the order off the text: JSON.parse would move "1" (an array index) first again.
  const order = [...canonicalJson(input).matchAll(/"([^"]*)":/g)].map((m) => m[1]);
  t.same(order, ["\\r", "1", "\u0080", "ö", "€", "😀", "\ufb33"]);
});

t.test("canonical JSON writes numbers as RFC 8785 Appendix B lists them", async (t) => {
  const vectors: [bits: string, text: string][] = [
    ["0000000000000000", "0"],
    ["8000000000000000", "0"],
    ["0000000000000001", "5e-324"],
    ["8000000000000001", "-5e-324"],
    ["7fefffffffffffff", "1.7976931348623157e+308"],
    ["ffefffffffffffff", "-1.7976931348623157e+308"],
    ["4340000000000000", "9007199254740992"],
    ["c340000000000000", "-9007199254740992"],
    ["4430000000000000", "295147905179352830000"],
    ["44b52d02c7e14af5", "9.999999999999997e+22"],
    ["44b52d02c7e14af6", "1e+23"],
    ["44b52d02c7e14af7", "1.0000000000000001e+23"],
    ["444b1ae4d6e2ef4e", "999999999999999700000"],
    ["444b1ae4d6e2ef4f", "999999999999999900000"],
    ["444b1ae4d6e2ef50", "1e+21"],
    ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
    ["3eb0c6f7a0b5ed8d", "0.000001"],
    ["41b3de4355555553", "333333333.3333332"],
    ["41b3de4355555554", "333333333.33333325"],
    ["41b3de4355555555", "333333333.3333333"],
    ["41b3de4355555556", "333333333.3333334"],
    ["41b3de4355555557", "333333333.33333343"],
    ["becbf647612f3696", "-0.0000033333333333333333"],
    ["43143ff3c1cb0959", "1424953923781206.2"],
  ];
  for (const [bits, text] of vectors) {
    const value = Buffer.from(bits, "hex").readDoubleBE(0);
    t.equal(canonicalJson(value), text, `0x${bits}`);
  }
});

t.test("canonical JSON refuses NaN and Infinity, which RFC 8785 cannot express", async (t) => {
  t.throws(() => canonicalJson(Number.NaN), TypeError);
  t.throws(() => canonicalJson({ a: Number.POSITIVE_INFINITY }), TypeError);
});

t.test("canonical JSON refuses what would not survive a round trip through JSON text", async (t) => {
  const circular: Record<string, unknown> = {};
  circular["self"] = circular;
  let deep: unknown = 0;
  for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = [deep];
  const cases: [string, unknown, string][] = [
    ["an undefined member", { a: undefined }, "/a"],
    ["a Date (toJSON)", { when: new Date(0) }, "/when"],
    ["a function", [() => 1], "/0"],
    ["a bigint", { n: 1n }, "/n"],
    ["a class instance", { m: new Map() }, "/m"],
    ["a lone surrogate in a value", { s: "\ud800" }, "/s"],
    ["a lone surrogate in a key", { "\udc00": 1 }, "/\udc00"],
    ["a cycle (cut at MAX_JSON_DEPTH)", circular, "/self".repeat(MAX_JSON_DEPTH)],
    ["nesting deeper than MAX_JSON_DEPTH", deep, "/0".repeat(MAX_JSON_DEPTH)],
  ];
  for (const [what, value, at] of cases) {
    t.throws(() => canonicalJson(value), TypeError, what);
    t.equal(nonJsonAt(value), at, `${what} is pointed at`);
  }
  t.equal(nonJsonAt({ "a/b~c": [1, "x", null, { ok: true }] }), undefined, "plain JSON passes");
  t.equal(nonJsonAt({ "a/b~c": [1, Number.NaN] }), "/a~1b~0c/1", "pointers escape / and ~ (RFC 6901)");
});

t.test("recordHash is SHA-256 of the envelope's canonical UTF-8 bytes (frozen vectors)", async (t) => {
  const { records } = fixture("records.json") as { records: { envelope: Envelope; canonical: string; recordHash: string }[] };
  t.ok(records.length >= 7);
  for (const { envelope, canonical, recordHash: expected } of records) {
    t.equal(canonicalJson(envelope), canonical);
    t.equal(createHash("sha256").update(Buffer.from(canonical, "utf8")).digest("hex"), expected);
    t.equal(recordHash(envelope), expected);
  }
});

t.test("the same envelope with its keys in another order has the same recordHash", async (t) => {
  const { records } = fixture("records.json") as { records: { envelope: Envelope; recordHash: string }[] };
  const envelope = records[5]!.envelope;
  const reversed = Object.fromEntries(Object.entries(envelope).reverse()) as Envelope;
  t.not(JSON.stringify(reversed), JSON.stringify(envelope));
  t.equal(recordHash(reversed), records[5]!.recordHash);
});

t.test("a JSON payload's contentHash does not depend on whitespace or key order", async (t) => {
  const a = JSON.parse('{ "b": [1, 2.50], "a": "x" }') as Record<string, unknown>;
  const b = JSON.parse('{"a":"x","b":[1,2.5]}') as Record<string, unknown>;
  t.equal(contentHashOfJson(a as never), contentHashOfJson(b as never));
  t.equal(contentHashOfJson(a as never), createHash("sha256").update('{"a":"x","b":[1,2.5]}').digest("hex"));
});
