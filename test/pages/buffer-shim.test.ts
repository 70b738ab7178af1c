// The browser bundle's Buffer (src/pages/browser/buffer-shim.ts) encodes and decodes as Node's
// Buffer does, for the encodings src/merkle uses: the verifier runs on it in shoppers' browsers.
import { randomBytes } from "node:crypto";
import t from "tap";
import { BrowserBuffer } from "../../src/pages/browser/buffer-shim.ts";

const samples = [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0xfb, 0xff]), Buffer.from("[\"a\",\"total\",\"199.00\"]"), randomBytes(1), randomBytes(2), randomBytes(3), randomBytes(31), randomBytes(20_000)];

t.test("every encoding reads and writes the same text as Node's Buffer", async (t) => {
  for (const encoding of ["hex", "latin1", "base64url"] as const) {
    for (const bytes of samples) {
      const text = bytes.toString(encoding);
      t.equal(BrowserBuffer.from(bytes).toString(encoding), text, `${encoding} of ${bytes.length} bytes`);
      t.same([...BrowserBuffer.from(text, encoding)], [...bytes], `${encoding} back to ${bytes.length} bytes`);
    }
  }
  t.equal(BrowserBuffer.from("桑蚕丝 silk", "utf8").toString("utf8"), "桑蚕丝 silk");
});

t.test("base64url that is not base64url decodes to something that does not round-trip", async (t) => {
  const decoded = BrowserBuffer.from("a*b", "base64url");
  t.not(decoded.toString("base64url"), "a*b", "the disclosure parser then calls it malformed");
});
