import t from "tap";
import { canonicalJson } from "../../src/merkle/index.ts";
import { canonicalJsonOf } from "../../src/trace/canonical-flat.ts";

t.test("the flat fast path writes exactly what the RFC 8785 canonicaliser writes", async (t) => {
  const samples: Array<Record<string, unknown>> = [
    { v: 1, kind: "trace.item", subject: "https://x.example/01/09520123456788/21/AbC", contentHash: "ab".repeat(32), mediaType: "application/json", submitter: "merchant:m", submittedAt: "2025-01-01T00:00:00.000Z", prev: null },
    { b: true, a: false, "€": "euro", "\u0080": "c1", é: "e", Z: "upper", z: "lower", "": "empty" },
    { quote: 'say "hi"\n\t\u0001\u001f', emoji: "😀", line: "\u2028\u2029", slash: "a/b" },
    { "10": 1, "9": 2, a: 3 }, // integer-like names: the fast path must step aside
    { n: 1.5, m: -0, big: 1e21 }, // numbers other than safe integers
    { nested: { b: 1, a: 2 } },
    JSON.parse('{"__proto__": "x", "a": 1}') as Record<string, unknown>,
  ];
  samples.forEach((sample, i) => t.equal(canonicalJsonOf(sample), canonicalJson(sample), `sample ${i}`));
  t.throws(() => canonicalJsonOf({ bad: "\uD800" }), TypeError, "a lone surrogate is refused, as RFC 8785 refuses it");
});
