// `tracemark import` as a user runs it: the real command in a child process (stderr a pipe, not a
// terminal) against the app listening on loopback, with the test PostgreSQL behind it.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import t from "tap";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, objectEvent } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";

const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const PREFIX = "6901234";

function runImport(args: string[], key: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, "import", ...args], { env: { PATH: process.env["PATH"] ?? "", TRACEMARK_API_KEY: key }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const h = await buildTestApp({ PUBLIC_BASE_URL: "https://trace.example.com" });
t.teardown(() => h.close());
const api = await h.app.listen({ host: "127.0.0.1", port: 0 });
const merchant = await merchantWithPrefix(h, "Silk Road Live", PREFIX);
const dir = await mkdtemp(join(tmpdir(), "tracemark-import-"));

const products = Array.from({ length: 45 }, (_, i) => gtinUnder(PREFIX, 100 + i));
const productsCsv = join(dir, "products.csv");
await writeFile(
  productsCsv,
  ["gtin,name,brand,category,origin,description", ...products.map((g, i) => `${g},"丝巾 Scarf ${i}",Suxiufang,Accessories,Suzhou,"Silk, 16 momme"`), "6901234000999,Wrong check digit,,,,"].join("\n") + "\n",
);
const countProducts = async () => Number((await h.database.db.selectFrom("products").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

t.test("a products CSV stopped after two chunks resumes on the rerun, writes nothing twice, and names the bad row's line", async (t) => {
  const first = await runImport([productsCsv, "--api", api, "--chunk-size", "10", "--max-chunks", "2"], merchant.token);
  t.equal(first.code, 3, "a run stopped before the end exits 3");
  t.match(first.stderr, /^import: 10\/46 rows, \d+ rows\/s, ETA/m, "progress is a plain line per chunk when stderr is not a terminal");
  t.equal(await countProducts(), 20);
  const saved = JSON.parse(await readFile(`${productsCsv}.tracemark-import.json`, "utf8")) as { chunksDone: number };
  t.equal(saved.chunksDone, 2, "the resume file records the chunks done");

  const second = await runImport([productsCsv, "--api", api, "--chunk-size", "10"], merchant.token);
  t.equal(second.code, 1, "exit 1: a row was rejected");
  t.match(second.stderr, /resuming after chunk 2/);
  t.equal(await countProducts(), 45, "every product is there once");
  t.match(second.stdout, /created\s+45/);
  t.match(second.stdout, /line 47\s+6901234000999\s+VALIDATION_FAILED: column gtin has a wrong check digit/);
  t.notOk(second.stdout.includes(merchant.token) || second.stderr.includes(merchant.token), "the key is never printed");
  await t.rejects(readFile(`${productsCsv}.tracemark-import.json`), "the resume file is gone once the file is done");

  const again = await runImport([productsCsv, "--api", api, "--json"], merchant.token);
  const summary = JSON.parse(again.stdout) as { created: number; alreadyThere: number };
  t.same([summary.created, summary.alreadyThere], [0, 45], "a third run finds everything already there");
  t.equal(await countProducts(), 45);
});

t.test("a lots CSV registers each lot; a lot of an unknown product is rejected with its line", async (t) => {
  const lotsCsv = join(dir, "lots.csv");
  await writeFile(lotsCsv, ["gtin,lot,productionDate,expiryDate,origin", `${products[0]},SZ2611A,2026-11-02,,Suzhou`, `${products[1]},SZ2611B,261105,271105,`, `${gtinUnder(PREFIX, 999)},X1,,,`].join("\r\n"));
  const run = await runImport([lotsCsv, "--api", api], merchant.token);
  t.equal(run.code, 1);
  t.match(run.stdout, /created\s+2/);
  t.match(run.stdout, /line 4 .* NOT_FOUND: no such product of yours/);
  const lot = await h.app.inject({ url: `/v1/products/${products[1]}/lots/SZ2611B`, headers: bearer(merchant) });
  t.equal(lot.json().expiryDate, "2027-11-05", "GS1 YYMMDD dates arrive as the API reads them");
});

t.test("an EPCIS document is captured in chunks; a rerun stores no event twice; a bad event is named by its index in the file", async (t) => {
  const epc = (i: number) => `https://trace.example.com/01/0${products[i % 5]}/21/S${i}`;
  const events: object[] = Array.from({ length: 12 }, (_, i) =>
    objectEvent({ eventTime: `2026-11-0${1 + (i % 9)}T10:00:00.000+08:00`, epcList: [epc(i)], bizStep: "https://ref.gs1.org/cbv/BizStep-shipping" }),
  );
  events[7] = objectEvent({ eventTime: "2026-11-02T10:00:00.000+08:00", epcList: [epc(7)], bizStep: 42 });
  const file = join(dir, "events.jsonld");
  await writeFile(file, JSON.stringify(epcisDocument(events)));

  const first = await runImport([file, "--api", api, "--chunk-size", "5", "--max-chunks", "1"], merchant.token);
  t.equal(first.code, 3);
  await writeFile(`${file}.tracemark-import.json`, "{}"); // a lost resume file: the service's idempotency still holds
  const second = await runImport([file, "--api", api, "--chunk-size", "5"], merchant.token);
  t.equal(second.code, 1, second.stderr);
  const summary = second.stdout;
  t.match(summary, /created\s+6/, "the first chunk's 5 events are not stored again");
  t.match(summary, /already there\s+5/);
  t.match(summary, /event 7 .*VALIDATION_FAILED: .*eventList\[7\]\.bizStep/);
  const stored = await h.database.db.selectFrom("epcis_events").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
  t.equal(Number(stored.n), 11);
});
