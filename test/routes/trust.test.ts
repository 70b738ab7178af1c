// GET /.well-known/tracemark-trust.json: public, and exactly the contract the service anchors with.
import t from "tap";
import { parseTrustDocument } from "../../src/verifier/trust.ts";
import { buildTestApp } from "../support/app.ts";

t.test("GET /.well-known/tracemark-trust.json", async (t) => {
  const h = await buildTestApp();
  t.teardown(h.close);

  t.test("needs no key and names the service's chain, contract and deploy block", async (t) => {
    const res = await h.app.inject({ method: "GET", url: "/.well-known/tracemark-trust.json" });
    t.equal(res.statusCode, 200);
    t.match(res.headers["content-type"], /^application\/json/);
    t.match(res.headers["cache-control"], /public/);
    const document = parseTrustDocument(res.json(), "the served document");
    t.same(document.anchors, [{ chainId: 31337, contract: h.chain.contractAddress, deployBlock: h.chain.deployBlock, name: "Tracemark BatchAnchor" }]);
  });

  t.test("the deploy block is the block that created the contract", async (t) => {
    const { provider, contractAddress, deployBlock } = h.chain;
    t.not(await provider.getCode(contractAddress, deployBlock), "0x", "code at the deploy block");
    if (deployBlock > 0) t.equal(await provider.getCode(contractAddress, deployBlock - 1), "0x", "none before it");
  });
});
