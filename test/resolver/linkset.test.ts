// What the resolver's links say and where they lead: a recall on the lot reaches the item's
// linkset at once and a withdrawal ends it; merchant links are records of their own and leave the
// linkset when removed; scans are cacheable and follow through to the history JSON.
import t from "tap";
import { GS1_VOC } from "../../src/resolver/vocabulary.ts";
import { bearer } from "../support/app.ts";
import { PUBLIC_BASE_URL } from "../support/trace.ts";
import { catalogue } from "./support.ts";

type Linkset = { linkset: Array<Record<string, Array<{ href: string; title: string }>> & { anchor: string }> };

t.test("the resolver's linkset", async (t) => {
  const c = await catalogue();
  t.teardown(c.h.close);
  const { h } = c;
  const path = (uri: string) => uri.slice(PUBLIC_BASE_URL.length);
  const itemPath = path(c.itemUri(c.serials[0]!));
  const linkset = async (p: string) => (await h.app.inject({ method: "GET", url: `${p}?linkType=linkset` })).json() as Linkset;
  const recallTitles = async () => (await linkset(itemPath)).linkset.map((context) => context[`${GS1_VOC}recallStatus`]?.[0]?.title ?? "");

  await t.test("a recall of the lot shows in the item's linkset at once, and a withdrawal ends it", async (t) => {
    t.notOk((await recallTitles()).some((title) => title.startsWith("Recalled")), "nothing is recalled at first");
    const lotUrl = `/v1/products/${c.gtin13}/lots/${encodeURIComponent(c.lot)}`;
    const recall = await h.app.inject({ method: "POST", url: `${lotUrl}/recalls`, headers: bearer(c.key), payload: { reason: "mislabelled allergens" } });
    t.ok(recall.statusCode < 300, `recall: ${recall.statusCode} ${recall.statusCode < 300 ? "" : recall.body}`);
    const [product, lot] = await recallTitles();
    t.match(lot, /^Recalled since /, "the lot's recallStatus says recalled");
    t.notMatch(product, /^Recalled/, "the product is not");
    const withdrawal = await h.app.inject({ method: "POST", url: `${lotUrl}/recalls/withdrawals`, headers: bearer(c.key), payload: { reason: "labels were right" } });
    t.ok(withdrawal.statusCode < 300, `withdrawal: ${withdrawal.statusCode}`);
    t.notOk((await recallTitles()).some((title) => title.startsWith("Recalled")), "withdrawn: not recalled any more");
  });

  await t.test("a merchant link is a public record on the product, and removing it takes it out of the linkset", async (t) => {
    const add = await h.app.inject({
      method: "POST",
      url: `/v1/products/${c.gtin13}/links`,
      headers: bearer(c.key),
      payload: { linkType: "gs1:instructions", href: "https://tea.example/lot-a", title: "Brewing, lot A", lot: c.lot },
    });
    t.equal(add.statusCode, 201, add.body);
    const { link, record } = add.json();
    t.equal(link.anchor, c.lotUri, "on the lot's linkset, since the body named the lot");
    t.equal(record.receipt.record.envelope.subject, c.lotUri, "recorded on the lot's subject");
    t.equal(record.receipt.record.envelope.kind, "resolver.link");
    const lotContext = () => linkset(path(c.lotUri)).then((l) => l.linkset.find((context) => context.anchor === c.lotUri)!);
    t.same((await lotContext())[`${GS1_VOC}instructions`], [{ href: "https://tea.example/lot-a", title: "Brewing, lot A" }], "in the lot's context");
    const list = await h.app.inject({ method: "GET", url: `/v1/products/${c.gtin13}/links`, headers: bearer(c.key) });
    t.same(list.json().links.map((l: { id: string }) => l.id), [link.id], "listed for its owner");

    const removed = await h.app.inject({ method: "DELETE", url: `/v1/products/${c.gtin13}/links/${link.id}`, headers: bearer(c.key) });
    t.equal(removed.statusCode, 200);
    t.equal(removed.json().record.receipt.record.envelope.prev, record.receipt.record.recordHash, "the removal is the next record on the lot's chain");
    t.notOk((await lotContext())[`${GS1_VOC}instructions`], "gone from the linkset");
    t.equal((await h.app.inject({ method: "DELETE", url: `/v1/products/${c.gtin13}/links/${link.id}`, headers: bearer(c.key) })).statusCode, 404, "removed once");
    const unknownLot = await h.app.inject({ method: "POST", url: `/v1/products/${c.gtin13}/links`, headers: bearer(c.key), payload: { linkType: "gs1:pip", href: "https://x.example/p", title: "X", lot: "NOPE" } });
    t.match(unknownLot.json(), { error: { code: "NOT_FOUND", field: "body.lot" } }, "a lot that does not exist is named");
  });

  await t.test("answers are cacheable, vary by Accept and Accept-Language, and the default link leads to the history JSON", async (t) => {
    const scan = await h.app.inject({ method: "GET", url: `${itemPath}?17=271231&src=pack` });
    t.equal(scan.statusCode, 307);
    t.equal(scan.headers["cache-control"], "public, max-age=60");
    t.match(scan.headers["vary"], /Accept, Accept-Language/);
    const location = new URL(String(scan.headers["location"]));
    t.equal(location.origin, PUBLIC_BASE_URL);
    t.equal(location.searchParams.get("uri"), c.itemUri(c.serials[0]!), "the history of the scanned item");
    const history = await h.app.inject({ method: "GET", url: location.pathname + location.search });
    t.equal(history.statusCode, 200, `the target answers, the passed-on query string included (${history.statusCode})`);
    const ls = await h.app.inject({ method: "GET", url: `${itemPath}?linkType=linkset` });
    t.equal(ls.headers["cache-control"], "public, max-age=60");
    t.equal(ls.headers["content-type"], "application/linkset+json");
    const trust = await h.app.inject({ method: "GET", url: `${itemPath}?linkType=tracemark:trustDocument` });
    t.equal(trust.headers["location"], `${PUBLIC_BASE_URL}/.well-known/tracemark-trust.json`, "our own link types answer to the tracemark: prefix the description file names");
    t.match((await h.app.inject({ method: "GET", url: `/01/${c.gtin13}` })).headers["location"], /uri=https%3A%2F%2Ftrace\.example\.com%2F01%2F0/, "a GTIN-13 in the path is read as its GTIN-14");
  });
});
