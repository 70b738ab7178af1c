// GS1 Digital Link URIs (URI Syntax 1.6): what Tracemark parses, refuses and writes.
import t from "tap";
import { canonicalDigitalLink, formatDigitalLink, Gs1SyntaxError, parseDigitalLink, toBracketedElementString, toElementString } from "../../src/gs1/index.ts";
import type { Gs1SyntaxCode } from "../../src/gs1/index.ts";

const BASE = "https://trace.example.com";
const GTIN = "09520123456788";

const refusal = (uri: string): Gs1SyntaxCode | "accepted" => {
  try {
    parseDigitalLink(uri);
    return "accepted";
  } catch (error) {
    if (error instanceof Gs1SyntaxError) return error.code;
    throw error;
  }
};

t.test("parses a serialised item into primary key, key qualifiers, data attributes and other parameters", async (t) => {
  const link = parseDigitalLink(`${BASE}/shop/01/${GTIN}/10/ABC1/21/12345?17=251231&utm_source=qr&flag#top`);
  t.same(link.stem, `${BASE}/shop`);
  t.same(link.primaryKey, { ai: "01", value: GTIN });
  t.same(link.keyQualifiers, [{ ai: "10", value: "ABC1" }, { ai: "21", value: "12345" }]);
  t.same(link.dataAttributes, [{ ai: "17", value: "251231" }]);
  t.same(link.otherQueryParameters, [{ name: "utm_source", value: "qr" }, { name: "flag", value: null }]);
  t.equal(toElementString(link.elements), `^01${GTIN}10ABC1^2112345^17251231`);
  t.equal(toBracketedElementString(link.elements), `(01)${GTIN}(10)ABC1(21)12345(17)251231`);
});

t.test("formats the canonical URI of a product, a lot and an item", async (t) => {
  t.equal(formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN } }), `${BASE}/01/${GTIN}`);
  t.equal(formatDigitalLink({ base: `${BASE}/`, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "10", value: "L42" }] }), `${BASE}/01/${GTIN}/10/L42`);
  t.equal(formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "21", value: "aB3x" }] }), `${BASE}/01/${GTIN}/21/aB3x`);
});

t.test("writes a GTIN-8, -12 or -13 as the 14 digits URI Syntax 1.6 requires", async (t) => {
  t.equal(formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: "9520123456788" } }), `${BASE}/01/${GTIN}`);
  t.equal(formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: "02345673" } }), `${BASE}/01/00000002345673`);
});

t.test("refuses a GTIN-13 (or 12, or 8) in the path: the GTIN is always 14 digits", async (t) => {
  t.equal(refusal(`${BASE}/01/9520123456788`), "BAD_VALUE");
  t.equal(refusal(`${BASE}/01/416000336108`), "BAD_VALUE");
  t.equal(refusal(`${BASE}/01/02345673`), "BAD_VALUE");
  t.equal(parseDigitalLink(`${BASE}/01/9520123456788`, { permitZeroSuppressedGtin: true }).primaryKey.value, GTIN, "unless the caller permits the legacy form");
});

t.test("refuses a GTIN with a wrong check digit", async (t) => {
  t.equal(refusal(`${BASE}/01/09520123456787`), "BAD_VALUE");
  t.throws(() => formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: "09520123456787" } }), { code: "BAD_VALUE", ai: "01" });
});

t.test("writes key qualifiers in the order 22, 10, 21 whatever order they are given in", async (t) => {
  const uri = formatDigitalLink({
    base: BASE,
    primaryKey: { ai: "01", value: GTIN },
    keyQualifiers: [{ ai: "21", value: "S1" }, { ai: "10", value: "L1" }, { ai: "22", value: "V1" }],
  });
  t.equal(uri, `${BASE}/01/${GTIN}/22/V1/10/L1/21/S1`);
});

t.test("refuses key qualifiers out of order, mixed alternatives, or not of this key", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}/21/S1/10/L1`), "BAD_KEY_QUALIFIERS");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/L1/22/V1`), "BAD_KEY_QUALIFIERS");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/L1/235/T1`), "BAD_KEY_QUALIFIERS", "235 replaces 21, it does not join 22/10");
  t.equal(refusal(`${BASE}/01/${GTIN}/254/X`), "BAD_KEY_QUALIFIERS", "254 qualifies a GLN, not a GTIN");
  t.throws(() => formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "10", value: "L" }, { ai: "235", value: "T" }] }), { code: "BAD_KEY_QUALIFIERS" });
});

t.test("refuses a key qualifier given as a query parameter, a repeated AI, and AIs that are no data attribute", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}?21=S1`), "NOT_A_DATA_ATTRIBUTE");
  t.equal(refusal(`${BASE}/01/${GTIN}?10=L1`), "BELONGS_IN_PATH");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/L1?17=251231&17=251231`), "DUPLICATE_AI");
  t.equal(refusal(`${BASE}/01/${GTIN}?999=x`), "UNKNOWN_AI");
});

t.test("checks data attributes: dates are YYMMDD, numeric AIs have their lengths", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}?17=251231`), "accepted");
  t.equal(refusal(`${BASE}/01/${GTIN}?17=251200`), "accepted", "day 00 means the end of the month for AI 17");
  t.equal(refusal(`${BASE}/01/${GTIN}?17=251331`), "BAD_VALUE", "no month 13");
  t.equal(refusal(`${BASE}/01/${GTIN}?17=250230`), "BAD_VALUE", "no 30 February");
  t.equal(refusal(`${BASE}/01/${GTIN}?17=2512`), "BAD_VALUE", "too short");
  t.equal(refusal(`${BASE}/01/${GTIN}?11=25123A`), "BAD_VALUE", "digits only");
  t.equal(refusal(`${BASE}/01/${GTIN}?3103=00019`), "BAD_VALUE", "AI 3103 is N6");
  t.equal(refusal(`${BASE}/01/${GTIN}?3922=0299`), "accepted");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/ABCDEFGHIJKLMNOPQRSTU`), "BAD_VALUE", "a lot has at most 20 characters");
});

t.test("percent-encodes /, %, ?, &, + and = in lots and serials, and reads them back", async (t) => {
  const lot = "A/B%C?D&E+F=G";
  const uri = formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "10", value: lot }] });
  t.equal(uri, `${BASE}/01/${GTIN}/10/A%2FB%25C%3FD%26E%2BF%3DG`);
  t.equal(parseDigitalLink(uri).keyQualifiers[0]?.value, lot);
  const serial = "x'(*)!,;:";
  const item = formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "21", value: serial }], dataAttributes: [{ ai: "99", value: "a/b" }] });
  t.equal(item, `${BASE}/01/${GTIN}/21/x%27%28%2A%29%21%2C%3B%3A?99=a%2Fb`);
  t.same(parseDigitalLink(item).elements, [{ ai: "01", value: GTIN }, { ai: "21", value: serial }, { ai: "99", value: "a/b" }]);
});

t.test("refuses # and spaces in a lot even percent-encoded: they are not in GS1 character set 82", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}/10/A%23B`), "BAD_VALUE");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/A%20B`), "BAD_VALUE");
  t.throws(() => formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "10", value: "A B" }] }), { code: "BAD_VALUE", ai: "10" });
});

t.test("reads + as a space only in the query string, as the Syntax Engine does", async (t) => {
  t.equal(parseDigitalLink(`${BASE}/01/${GTIN}/22/A+B`).keyQualifiers[0]?.value, "A+B");
  t.equal(refusal(`${BASE}/01/${GTIN}?99=A+B`), "BAD_VALUE", "a space is not in character set 82");
  t.equal(parseDigitalLink(`${BASE}/01/${GTIN}?99=A%2BB`).dataAttributes[0]?.value, "A+B");
});

t.test("refuses Chinese characters in a lot, raw or percent-encoded: they are not in GS1 character set 82", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}/10/批次1`), "NOT_A_URI");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/${encodeURIComponent("批次1")}`), "BAD_VALUE");
  t.throws(() => formatDigitalLink({ base: BASE, primaryKey: { ai: "01", value: GTIN }, keyQualifiers: [{ ai: "10", value: "批次1" }] }), { code: "BAD_VALUE", ai: "10" });
});

t.test("round-trips: formatting a parsed URI gives its canonical form, and canonical forms are fixed points", async (t) => {
  const cases: [given: string, canonical: string][] = [
    [`${BASE}/01/${GTIN}`, `${BASE}/01/${GTIN}`],
    [`${BASE}/01/${GTIN}/`.slice(0, -1) + "#frag", `${BASE}/01/${GTIN}`],
    [`HTTPS://Trace.Example.COM/01/${GTIN}/10/ABC%2d1`, `${BASE}/01/${GTIN}/10/ABC-1`],
    [`${BASE}/01/${GTIN}/10/a%2fb?3103=000195&17=251231&utm=x`, `${BASE}/01/${GTIN}/10/a%2Fb?17=251231&3103=000195`],
    [`${BASE}/x/y/00/006141411234567890?02=${GTIN}&37=25`, `${BASE}/x/y/00/006141411234567890?02=${GTIN}&37=25`],
    [`${BASE}/414/9520123456788/254/32a%2Fb`, `${BASE}/414/9520123456788/254/32a%2Fb`],
  ];
  for (const [given, canonical] of cases) {
    t.equal(canonicalDigitalLink(given), canonical, given);
    t.equal(canonicalDigitalLink(canonical), canonical, `${canonical} is canonical`);
  }
});

t.test("refuses a trailing slash and an empty path segment, ignores a fragment", async (t) => {
  t.equal(refusal(`${BASE}/01/${GTIN}/`), "NO_PRIMARY_KEY");
  t.equal(refusal(`${BASE}/01//${GTIN}`), "NO_PRIMARY_KEY");
  t.equal(refusal(`${BASE}/01/${GTIN}/10/`), "EMPTY_VALUE");
  t.equal(refusal(`${BASE}/01/${GTIN}#anything`), "accepted");
});

t.test("refuses bases that cannot carry a Digital Link", async (t) => {
  for (const base of ["ftp://a", "https://", "https://a?x=1", "https://a/b#c", "https://a b"]) {
    t.throws(() => formatDigitalLink({ base, primaryKey: { ai: "01", value: GTIN } }), Gs1SyntaxError, base);
  }
});

// Cases of the Syntax Engine's test_dl_parseDLuri (dl.c, commit 50657dbd) that the shared vector
// file leaves out; Tracemark's parser agrees with them too.
t.test("agrees with the Syntax Engine on schemes, hosts, fragments and percent-escapes beyond the vector file", async (t) => {
  const accepted: [uri: string, elementString: string][] = [
    ["http://a/00/006141411234567890", "^00006141411234567890"],
    ["HTTP://a/00/006141411234567890", "^00006141411234567890"],
    ["HTTPS://a/00/006141411234567890", "^00006141411234567890"],
    ["https://a:65535/01/12312312312333", "^0112312312312333"],
    ["https://[2001:db8::1]/01/12312312312333", "^0112312312312333"],
    ["https://xn--fsq.xn--0zwm56d/01/12312312312333", "^0112312312312333"],
    ["https://a/00/faux/00/006141411234567890", "^00006141411234567890"],
    ["https://a/stem/401/12345678?99=ABC", "^40112345678^99ABC"],
    ["https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", "^011231231231233399ABC^98XYZ"],
    ["https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987", "^011231231231233322ABC-123^99ABC^98XYZ/987"],
    ["https://a/01/12312312312333/22/ABC+123?99=ABC&98=XYZ%2f987", "^011231231231233322ABC+123^99ABC^98XYZ/987"],
    ["https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment", "^011231231231233322test^10abc^21xyz"],
    ["https://a/stem/00/006141411234567890?99=ABC#", "^0000614141123456789099ABC"],
    ["https://a/8004/9520614141234567?01=09521234543213", "^80049520614141234567^0109521234543213"],
  ];
  for (const [uri, elementString] of accepted) t.equal(toElementString(parseDigitalLink(uri).elements), elementString, `accepts ${uri}`);
  const refused = [
    "https://00/006141411234567890",
    "https://[fe80::1%25lo]/01/12312312312333",
    "https://$a/006141411234567890",
    "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987",
    "https://a/8004/9520614141234567?01=2112345678900",
  ];
  for (const uri of refused) t.throws(() => parseDigitalLink(uri), Gs1SyntaxError, `refuses ${uri}`);
});
