// The embedded demo as a newcomer runs it (TRACEMARK_DEMO=1, PGlite, in-process chain): the
// printed recalled lot's page, opened in Chromium, verifies every entry through the operator's own
// read-only /rpc, says that the operator serves it, and shows the recall.
import t from "tap";
import { launchBrowser, PHONE, cspViolations, watchedPage } from "../support/browser.ts";
import { startServer } from "../support/server-process.ts";

const server = await startServer({ TRACEMARK_DEMO: "1", LOG_LEVEL: "warn", BATCH_INTERVAL_MS: "200" }, { readyTimeoutMs: 120_000 });
t.teardown(async () => {
  server.kill("SIGTERM");
  await server.exited;
});
for (let waited = 0; !/Demo resolver URLs[\s\S]*\n\n/.test(server.output()) && waited < 120_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
const urls = /Demo resolver URLs \(product, lots, items\):\n([\s\S]*?)\n\n/.exec(server.output())![1]!.split("\n");
const browser = await launchBrowser();
t.teardown(() => browser.close());

t.test("the recalled lot's page verifies through the operator's /rpc and shows the recall", async (t) => {
  const lot = urls[2]!;
  const ctx = await browser.newContext({ ...PHONE, locale: "en-US" });
  t.teardown(() => ctx.close());
  const { page, console } = await watchedPage(ctx);
  // Anchoring takes a moment after seeding: reload until the chain has every entry.
  let verdicts: Array<string | null> = [];
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    await page.goto(lot);
    await page.waitForSelector('[data-verification="done"]', { timeout: 30_000 });
    verdicts = await page.locator("[data-entry]").evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-verdict")));
    if (verdicts.length > 0 && verdicts.every((v) => v === "valid")) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  t.ok(verdicts.length >= 3, `${verdicts.length} entries`);
  t.same(verdicts, verdicts.map(() => "valid"), "every entry verified in the browser");
  t.match(await page.locator("[data-recalled]").textContent(), /Recalled: do not use this product/);
  t.match(await page.locator("main").textContent(), new RegExp(`Blockchain answers from: ${server.url.replace(/[.:/]/g, "\\$&")}/rpc \\(served by the operator`), "the page says the operator serves the RPC");
  t.same(cspViolations(console), []);
});
