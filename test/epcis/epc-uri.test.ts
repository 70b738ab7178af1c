// EPC URIs (GS1 TDS 2.x) become GS1 Digital Links, and Digital Links on any host the constrained
// canonical form the event hash compares.
import t from "tap";
import { canonicalGs1Uri, constrainedDigitalLink, encodeAiValue, epcUriToDigitalLink, gs1CheckDigit } from "../../src/epcis/index.ts";

t.test("check digits follow GS1 General Specifications §7.9.1", async (t) => {
  t.equal(gs1CheckDigit("1061414107346"), "4", "GTIN-14 10614141073464");
  t.equal(gs1CheckDigit("061414107346"), "7", "GLN 0614141073467");
  t.equal(gs1CheckDigit("34012345111111111"), "1", "SSCC 340123451111111111");
  t.equal(gs1CheckDigit("0000000000000"), "0");
});

t.test("each EPC URI scheme becomes its Digital Link, the company prefix length read from the URI", async (t) => {
  const cases: [string, string][] = [
    ["urn:epc:id:sgtin:0614141.107346.2017", "https://id.gs1.org/01/10614141073464/21/2017"],
    ["urn:epc:id:sgtin:415056789012.0.987654", "https://id.gs1.org/01/04150567890128/21/987654"],
    ["urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"],
    ["urn:epc:id:sgln:0614141.12345.400", "https://id.gs1.org/414/0614141123452/254/400"],
    ["urn:epc:id:sgln:0614141.12345.0", "https://id.gs1.org/414/0614141123452"],
    ["urn:epc:id:grai:0614141.12345.400", "https://id.gs1.org/8003/00614141123452400"],
    ["urn:epc:id:giai:0614141.12345400", "https://id.gs1.org/8004/061414112345400"],
    ["urn:epc:id:gsrn:0614141.1234567890", "https://id.gs1.org/8018/061414112345678902"],
    ["urn:epc:id:gsrnp:0614141.1234567890", "https://id.gs1.org/8017/061414112345678902"],
    ["urn:epc:id:gdti:0614141.12345.400", "https://id.gs1.org/253/0614141123452400"],
    ["urn:epc:id:cpi:0614141.123ABC.123456789", "https://id.gs1.org/8010/0614141123ABC/8011/123456789"],
    ["urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711"],
    ["urn:epc:id:ginc:0614141.xyz3311cba", "https://id.gs1.org/401/0614141xyz3311cba"],
    ["urn:epc:id:gsin:0614141.123456789", "https://id.gs1.org/402/06141411234567890"],
    ["urn:epc:id:itip:4012345.012345.01.02.987", "https://id.gs1.org/8006/040123451234560102/21/987"],
    ["urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB", "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB"],
    ["urn:epc:id:pgln:1234567.89012", "https://id.gs1.org/417/1234567890128"],
    ["urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"],
    ["urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"],
    ["urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663"],
    ["urn:epc:idpat:cpi:4012345.ABC.*", "https://id.gs1.org/8010/4012345ABC"],
  ];
  for (const [urn, link] of cases) t.equal(epcUriToDigitalLink(urn), link, urn);
});

t.test("URN escapes are decoded and the value percent-encoded as Digital Link requires", async (t) => {
  t.equal(epcUriToDigitalLink("urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"), "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29");
  t.equal(epcUriToDigitalLink("urn:epc:id:sgtin:0614141.107346.A.B"), "https://id.gs1.org/01/10614141073464/21/A.B", "a serial may contain dots");
  t.equal(encodeAiValue("AB-12_x.y"), "AB-12_x.y");
});

t.test("malformed or unknown EPC URIs have no Digital Link", async (t) => {
  for (const urn of [
    "urn:epc:id:sgtin:0614141.10734.2017", // 12 digits, not 13
    "urn:epc:id:sgtin:0614141.107346.123456789012345678901", // serial over 20 characters
    "urn:epc:id:sgtin:0614141.107346.%zz", // broken escape
    "urn:epc:id:sgtin:0614141.107346", // no serial
    "urn:epc:id:foo:0614141.107346.1",
    "urn:epc:idpat:sgtin:0614141.*.*",
    "urn:epc:id:sgtin:12345.1234567.1", // a 5-digit company prefix
  ]) t.equal(epcUriToDigitalLink(urn), undefined, urn);
});

t.test("a Digital Link on any host becomes id.gs1.org, without query string or fragment", async (t) => {
  t.equal(constrainedDigitalLink("https://brand.example.com/01/09506000134352/21/abc?17=290101#top"), "https://id.gs1.org/01/09506000134352/21/abc");
  t.equal(constrainedDigitalLink("http://id.gs1.de/414/4012345000115/"), "https://id.gs1.org/414/4012345000115", "trailing slash, http");
  t.equal(constrainedDigitalLink("https://example.com/products/catalog/01/09506000134352"), "https://id.gs1.org/01/09506000134352", "a path prefix");
});

t.test("short names become AIs, GTINs are padded to 14 digits, and only the finest qualifier stays", async (t) => {
  t.equal(constrainedDigitalLink("https://example.com/gtin/9506000134352/lot/A1/ser/7"), "https://id.gs1.org/01/09506000134352/21/7");
  t.equal(constrainedDigitalLink("https://example.com/01/12345670/10/LOT-9"), "https://id.gs1.org/01/00000012345670/10/LOT-9");
  t.equal(constrainedDigitalLink("https://example.com/01/09506000134352/22/2A/10/L1"), "https://id.gs1.org/01/09506000134352/10/L1", "the CPV goes");
  t.equal(constrainedDigitalLink("https://example.com/8010/0614141123ABC/8011/12"), "https://id.gs1.org/8010/0614141123ABC/8011/12");
});

t.test("URLs that carry no GS1 key are not Digital Links", async (t) => {
  for (const url of [
    "http://transaction.acme.com/po/12345678",
    "https://accreditation-council.example.org/certificate/ABC12345",
    "http://www.opengis.net/def/crs/EPSG/0/27700",
    "https://example.com/01/notagtin",
    "https://example.com/00/123", // an SSCC has 18 digits
    "https://example.com/414/4012345000115/21/1", // 21 does not qualify a GLN
  ]) t.equal(constrainedDigitalLink(url), undefined, url);
});

t.test("canonicalGs1Uri takes either form and leaves other values alone", async (t) => {
  t.equal(canonicalGs1Uri("urn:epc:id:sscc:4012345.0000000333"), "https://id.gs1.org/00/040123450000003338");
  t.equal(canonicalGs1Uri("https://id.gs1.de/00/040123450000003338"), "https://id.gs1.org/00/040123450000003338");
  t.equal(canonicalGs1Uri("geo:47.506694,11.104301"), undefined);
});
