// The history cache under a crowd of scanners: once a cached answer is due for its fingerprint
// check (RECHECK_MS), the requests that arrive together share one check rather than sending one
// query each; and a capture by this process still reaches the very next request.
import t from "tap";
import type { KyselyPlugin } from "kysely";
import { TraceHistory, RECHECK_MS } from "../../src/trace/events/trace-view.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, objectEvent } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

const CROWD = 64;
const productClass = (gtin13: string) => `urn:epc:idpat:sgtin:${gtin13.slice(0, 7)}.0${gtin13.slice(7, 12)}.*`;

t.test("a crowd of scanners shares one fingerprint check of a cached history", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Crowded Shop", "9527200");
  const gtin = gtinUnder("9527200", 1);
  t.equal((await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(a), payload: { gtin, name: "Puerh cake" } })).statusCode, 201, "a product to scan");

  let queries = 0;
  const counting: KyselyPlugin = {
    transformQuery: (args) => {
      queries++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  const history = new TraceHistory(h.database.db.withPlugin(counting), PUBLIC_BASE_URL);
  const uri = `${PUBLIC_BASE_URL}/01/0${gtin}`;
  const first = await history.answer(uri);

  await new Promise((resolve) => setTimeout(resolve, RECHECK_MS + 5));
  queries = 0;
  const answers = await Promise.all(Array.from({ length: CROWD }, () => history.answer(uri)));
  t.equal(queries, 1, `${CROWD} requests due for a check sent one query`);
  t.ok(answers.every((answer) => answer.etag === first.etag), "and all got the cached answer");

  const captured = await h.app.inject({
    method: "POST",
    url: "/epcis/capture",
    headers: bearer(a),
    // The product as an EPC class (a pattern of every serial of the GTIN, TDS 2.1 §8): on the product's chain.
    payload: epcisDocument([objectEvent({ eventTime: "2026-02-01T00:00:00.000Z", quantityList: [{ epcClass: productClass(gtin) }], bizStep: "inspecting" })]),
  });
  t.equal(captured.statusCode, 202, captured.statusCode === 202 ? "an event on the product captured" : captured.body);
  const after = await Promise.all(Array.from({ length: CROWD }, () => history.answer(uri)));
  t.ok(after.every((answer) => answer.etag !== first.etag), "a capture by this process is seen by every request after it, without waiting for RECHECK_MS");
});
