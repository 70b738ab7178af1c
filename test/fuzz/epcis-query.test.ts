// Seeded fuzzing of the EPCIS query routes (GET /epcis/events, GET /epcis/epcs/{epc}/events): query
// strings drawn from the SimpleEventQuery parameters, misspelt and unknown ones, good and broken
// values (EPC URIs, Digital Links, patterns, vocabularies, times, page tokens, NULs, broken
// percent-encoding), with and without a key. The rule: never a 5xx; a 400 is the error shape and
// names `query.<parameter>` or `params.epc`; a 200 is an EPCISQueryDocument valid against the
// EPCIS 2.0 JSON Schema. Replay with FUZZ_SEED=<seed>; FUZZ_QUERY_REQUESTS sets how many (1,500).
import t from "tap";
import { validateEpcisDocument } from "../../src/epcis/index.ts";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, lgtin, objectEvent, sgtin } from "../support/epcis.ts";
import { seededRandom } from "../support/seeded-random.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";
import { pick } from "./mutations.ts";

const SEED = Number(process.env["FUZZ_SEED"] ?? 20_261_123);
const REQUESTS = Number(process.env["FUZZ_QUERY_REQUESTS"] ?? 1_500);

t.test("fuzzing the EPCIS query routes", async (t) => {
  t.comment(`FUZZ_SEED=${SEED} (replay with this), ${REQUESTS} requests`);
  const h = await buildTestApp({ PUBLIC_BASE_URL, PUBLIC_RATE_LIMIT: "1000000" });
  t.teardown(h.close);
  const random = seededRandom(SEED);
  const a = await merchantWithPrefix(h, "Fuzz A", "9520001");
  const gtin = gtinUnder("9520001", 5);
  const events = Array.from({ length: 12 }, (_, i) =>
    objectEvent({ eventTime: `2026-04-${String(i + 1).padStart(2, "0")}T08:00:00.000+08:00`, epcList: [sgtin(gtin, `F${i % 3}`)], bizStep: pick(random, ["shipping", "receiving"]), disposition: "in_transit" }),
  );
  t.equal((await h.app.inject({ method: "POST", url: "/epcis/capture", headers: bearer(a), payload: epcisDocument(events) })).statusCode, 202);
  const firstToken = /nextPageToken=([^>&]+)/.exec(String((await h.app.inject({ method: "GET", url: "/epcis/events?perPage=2", headers: bearer(a) })).headers["link"]))![1]!;

  const names = ["perPage", "nextPageToken", "GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime", "EQ_bizStep", "EQ_disposition", "MATCH_epc", "MATCH_parentID", "MATCH_anyEPC", "MATCH_epcClass", "MATCH_anyEPCClass", "eventType", "match_epc", "EQ_bizstep", "x", "__proto__", ""];
  const epcs = [sgtin(gtin, "F1"), `https://id.gs1.org/01/0${gtin}/21/F2`, lgtin(gtin, "L1"), `urn:epc:idpat:sgtin:9520001.0${gtin.slice(7, 12)}.*`, "urn:epc:idpat:sgtin:9520001.*.*", "urn:epc:id:sscc:9520001.0000000001", "urn:epc:id:sgtin:", "https://id.gs1.org/01/123", "not-an-epc"];
  const values = () =>
    pick(random, [
      () => pick(random, epcs),
      () => `${pick(random, epcs)}|${pick(random, epcs)}`,
      () => pick(random, ["shipping", "receiving|shipping", "urn:epcglobal:cbv:bizstep:shipping", "https://ref.gs1.org/cbv/Disp-in_transit", "in_transit", "|", "not a step"]),
      () => pick(random, ["2026-04-03T00:00:00Z", "2026-04-03T08:00:00+08:00", "2026-04-03", "yesterday", "2026-13-45T99:99:99Z", "1e308"]),
      () => pick(random, ["0", "1", "2", "30", "1000", "1001", "-1", "2.5", "99999999999999999999", "0x10"]),
      () => pick(random, [firstToken, `${firstToken}x`, "", "bm90IGEgdG9rZW4", Buffer.from('["x","y",true,"z"]').toString("base64url"), "%00"]),
      () => pick(random, ["%00", "%E0%A4%A", "%ED%A0%80", "q".repeat(random.int(100, 4_000)), encodeURIComponent("名前"), "%7C%7C"]),
    ])();
  const queryString = () => {
    const parts: string[] = [];
    for (let n = random.int(0, 4); n > 0; n--) {
      const value = values();
      parts.push(`${pick(random, names)}=${/%/.test(value) ? value : encodeURIComponent(value)}`);
    }
    return parts.length === 0 ? "" : `?${parts.join("&")}`;
  };

  const byStatus = new Map<number, number>();
  const breaches: string[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const perObject = random() < 0.5;
    const path = perObject ? `/epcis/epcs/${pick(random, [() => encodeURIComponent(pick(random, epcs)), () => pick(random, ["%00", "%E0%A4%A", "x".repeat(120), "urn%3Aepc"])])()}/events` : "/epcis/events";
    const url = path + queryString();
    const keyed = random() < 0.8;
    const res = await h.app.inject({ method: "GET", url, headers: keyed ? bearer(a) : {} });
    byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
    const what = `#${i} GET ${url.slice(0, 200)} key=${keyed}`;
    if (res.statusCode >= 500) breaches.push(`${what}: a ${res.statusCode}: ${res.body.slice(0, 200)}`);
    else if (res.statusCode === 200) {
      const issues = validateEpcisDocument(res.json());
      if (issues.length > 0) breaches.push(`${what}: not a valid EPCISQueryDocument: ${JSON.stringify(issues.slice(0, 2))}`);
    } else if (res.statusCode === 400 || res.statusCode === 414) {
      const field = (res.json() as { error?: { field?: unknown } }).error?.field;
      if (typeof field !== "string" || !/^(query\.|params\.epc|url)/.test(field)) breaches.push(`${what}: a ${res.statusCode} naming ${String(field)}: ${res.body.slice(0, 200)}`);
    } else if (res.statusCode !== 401 && res.statusCode !== 404) breaches.push(`${what}: unexpected ${res.statusCode}: ${res.body.slice(0, 200)}`);
  }
  t.comment(`by status: ${JSON.stringify(Object.fromEntries([...byStatus].sort(([x], [y]) => x - y)))}`);
  t.ok((byStatus.get(200) ?? 0) > REQUESTS / 20, "a fair share of the queries were answered");
  t.ok((byStatus.get(400) ?? 0) > REQUESTS / 20, "and a fair share refused");
  for (const line of breaches.slice(0, 20)) t.comment(`breach: ${line}`);
  t.same(breaches.slice(0, 20), [], `every response keeps the rule (${breaches.length} breaches; FUZZ_SEED=${SEED})`);
});
