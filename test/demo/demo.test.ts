// TRACEMARK_DEMO=1 on the embedded defaults, as a newcomer runs it: a real server process whose
// printed resolver URLs each resolve, and whose item histories show the events and the recall.
import t from "tap";
import { startServer } from "../support/server-process.ts";

const server = await startServer({ TRACEMARK_DEMO: "1", LOG_LEVEL: "warn" }, { readyTimeoutMs: 120_000 });
t.teardown(async () => {
  server.kill("SIGTERM");
  await server.exited;
});
// /readyz answers before the demo is seeded: wait for its URL list.
for (let waited = 0; !/Demo resolver URLs[\s\S]*\n\n/.test(server.output()) && waited < 60_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
const urls = /Demo resolver URLs \(product, lots, items\):\n([\s\S]*?)\n\n/.exec(server.output())![1]!.split("\n");

t.match(server.output(), /Demo merchant API key \(shown once, keep it\):\n {2}tmk_/, "the demo merchant's key is printed once");
t.equal(urls.length, 1 + 2 + 5, "one product, two lots, five items; one URL a line");

t.test("every printed URL resolves: a redirect to its history, and a linkset on request", async (t) => {
  for (const url of urls) {
    const redirect = await fetch(url, { redirect: "manual" });
    t.equal(redirect.status, 307, url);
    t.match(redirect.headers.get("link"), /rel="linkset"/);
    const linkset = await fetch(url, { headers: { accept: "application/linkset+json" } });
    t.equal(linkset.status, 200);
  }
});

const history = async (uri: string) => (await fetch(`${server.url}/v1/trace?uri=${encodeURIComponent(uri)}`)).json() as Promise<{ recall: { recalled: boolean }; timeline: Array<{ bizStep: string | null; via: string }> }>;

t.test("an item of the sold lot shows its journey from commissioning to the live-stream sale", async (t) => {
  const item = await history(urls[3]!);
  const steps = item.timeline.map((e) => e.bizStep).filter(Boolean);
  t.same(steps, ["commissioning", "packing", "shipping", "receiving", "retail_selling"]);
  t.ok(item.timeline.some((e) => e.via === "container"), "the case's shipping and receiving reach the item");
  t.equal(item.recall.recalled, false);
});

t.test("an item of the second lot shows the recall", async (t) => {
  const item = await history(urls.at(-1)!);
  t.equal(item.recall.recalled, true);
});
