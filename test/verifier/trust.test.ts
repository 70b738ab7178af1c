// Trust documents are read strictly: anything that is not exactly a tracemark.trust.v1 document
// is refused with a message that names the member, since a lax reader is a way to trust by mistake.
import t from "tap";
import { parseTrustDocument, TrustDocumentError, trustedAnchorFor, TRUST_FORMAT } from "../../src/verifier/trust.ts";

const anchor = { chainId: 31337, contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3", deployBlock: 1, name: "Tracemark BatchAnchor" };
const document = { format: TRUST_FORMAT, anchors: [anchor] };

t.test("accepts a trust document and returns it as is", async (t) => {
  t.same(parseTrustDocument(structuredClone(document), "trust.json"), document);
});

t.test("refuses what is not exactly a trust document, naming the member", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["an array", [anchor], /trust\.json is not a trust document: not a JSON object/],
    ["another format", { ...document, format: "tracemark.trust.v2" }, /\/format must be "tracemark\.trust\.v1" \(got "tracemark\.trust\.v2"\)/],
    ["no format", { anchors: [anchor] }, /\/format must be .*got nothing/],
    ["no anchors", { format: TRUST_FORMAT, anchors: [] }, /\/anchors/],
    ["an unknown member", { ...document, note: "trust me" }, /\/note is not a member of a trust document/],
    ["an unknown anchor member", { ...document, anchors: [{ ...anchor, admin: "0x00" }] }, /\/anchors\/0\/admin is not a member/],
    ["a short address", { ...document, anchors: [{ ...anchor, contract: "0x5FbDB2315678" }] }, /\/anchors\/0\/contract/],
    ["a chain id as a string", { ...document, anchors: [{ ...anchor, chainId: "31337" }] }, /\/anchors\/0\/chainId/],
    ["a negative deploy block", { ...document, anchors: [{ ...anchor, deployBlock: -1 }] }, /\/anchors\/0\/deployBlock/],
    ["no name", { ...document, anchors: [{ ...anchor, name: "" }] }, /\/anchors\/0\/name/],
  ];
  for (const [what, input, message] of cases) {
    t.throws(() => parseTrustDocument(input, "trust.json"), TrustDocumentError, what);
    try {
      parseTrustDocument(input, "trust.json");
    } catch (error) {
      t.match((error as Error).message, message, what);
    }
  }
});

t.test("finds the trusted anchor by chain id and address, the address in any case", async (t) => {
  t.equal(trustedAnchorFor([anchor], 31337, anchor.contract.toLowerCase()), anchor);
  t.equal(trustedAnchorFor([{ ...anchor, contract: anchor.contract.toLowerCase() }], 31337, anchor.contract)?.name, anchor.name);
  t.equal(trustedAnchorFor([anchor], 1, anchor.contract), undefined, "not on another chain");
  t.equal(trustedAnchorFor([anchor], 31337, "0x0000000000000000000000000000000000000001"), undefined, "not another contract");
});
