// Every GS1 Digital Link URI of GS1's Syntax Engine test suite (gs1/gs1-syntax-engine,
// src/c-lib/dl.c, test_dl_parseDLuri, Apache-2.0; copied to ../shared/gs1/), accepted or refused
// as the Syntax Engine does, and each accepted one mapped to the same element string.
import t from "tap";
import { readFileSync } from "node:fs";
import { parseDigitalLink, toElementString, Gs1SyntaxError, type ParseOptions } from "../../src/gs1/index.ts";

interface Vector {
  valid: boolean;
  uri: string;
  elementString?: string;
  note?: string;
}

// The repository is cloned with shared/ beside it: <repo>/../shared/gs1.
const vectorsUrl = new URL("../../../shared/gs1/digital-link-parse-vectors.json", import.meta.url);
const { cases } = JSON.parse(readFileSync(vectorsUrl, "utf8")) as { cases: Vector[] };

// The vector file lists URIs without the parser options the Syntax Engine test set around some of
// them (so a URI may appear once accepted and once refused). These are those cases, with the
// option as dl.c (commit 50657dbd) sets it; every other vector runs with the defaults.
const ALPHAS: ParseOptions = { permitConvenienceAlphas: true }; // dl.c:1436-1442
const GTIN13: ParseOptions = { permitZeroSuppressedGtin: true }; // dl.c:1634-1698, setPermitZeroSuppressedGTINinDLuris
const UNKNOWN: ParseOptions = { permitUnknownDataAttributes: true }; // dl.c:1766, permitUnknownAIs and not vUNKNOWN_AI_NOT_DL_ATTR
const OPTIONS = new Map<string, ParseOptions>([
  ["valid https://a/gtin/12312312312333", ALPHAS],
  ["valid https://a/gtin/12312312312333/ser/ABC123", ALPHAS],
  ["valid https://a/sscc/006141411234567890", ALPHAS],
  ["invalid https://a/zzz/12312312312333", ALPHAS],
  ["invalid https://a/cps/12312312312333", ALPHAS],
  ["valid https://brand.example.com/01/9520123456788", GTIN13],
  ["valid https://brand.example.com/some-extra/pathinfo/01/9520123456788", GTIN13],
  ["valid https://example.com/01/9520123456788?3103=000195&3922=0299&17=201225", GTIN13],
  ["valid https://id.gs1.org/01/9520123456788?3103=000195&3922=0299&17=201225", GTIN13],
  ["valid https://id.gs1.org/01/9520123456788?17=201225&3103=000195&3922=0299", GTIN13],
  ["valid https://example.com/01/09520123456788?99=XYZ&89=ABC123", UNKNOWN],
]);

t.ok(cases.length >= 80, `the vector file holds the Syntax Engine's cases (${cases.length})`);

for (const vector of cases) {
  const options = OPTIONS.get(`${vector.valid ? "valid" : "invalid"} ${vector.uri}`) ?? {};
  const withOptions = Object.keys(options).length === 0 ? "" : ` with ${Object.keys(options).join(", ")}`;
  if (vector.valid) {
    let got: string;
    try {
      got = toElementString(parseDigitalLink(vector.uri, options).elements);
    } catch (error) {
      got = `refused: ${(error as Error).message}`;
    }
    t.equal(got, vector.elementString, `accepts ${vector.uri}${withOptions} as ${vector.elementString}`);
  } else {
    t.throws(() => parseDigitalLink(vector.uri, options), Gs1SyntaxError, `refuses ${JSON.stringify(vector.uri)}${withOptions}${vector.note ? ` (${vector.note})` : ""}`);
  }
}
