// Issue 8 end to end, as merchants and shoppers use it: a real server process on PostgreSQL with a
// `hardhat node` over JSON-RPC. The operator creates a merchant and assigns it a GS1 Company
// Prefix; the merchant registers a product, a lot and 10,000 serialised items, captures their
// journey as EPCIS 2.0 documents (commissioning, packing into 100 cases, shipping, receiving,
// retail_selling), and recalls the lot. For a sample of items the public history shows the item's
// own events, its lot's, its case's and the recall; once the batches are final, every receipt in
// those histories is verified by the CLI against the chain with the server's trust pinned. A second
// merchant can neither register under the first one's prefix, capture events about its items, nor
// recall its lot.
import t from "tap";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import type { Receipt } from "../../src/merkle/index.ts";
import type { TraceViewT } from "../../src/schemas/epcis.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { epcisDocument, objectEvent } from "../support/epcis.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { seededRandom, seedFrom } from "../support/seeded-random.ts";
import { startServer } from "../support/server-process.ts";
import { caseEpc, documentsOf, journey } from "../support/supply-chain.ts";
import { gtinUnder } from "../support/trace.ts";

const ITEMS = 10_000;
const PER_CASE = 100;
const SAMPLE = 50;
const PREFIX = "9521234";
const FOREIGN_PREFIX = "9525678";
const LOT = "LOT-2026-03";
const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function tracemark(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

interface Answer<T> { status: number; body: T }
type Entry = TraceViewT["timeline"][number];

t.test(`a lot of ${ITEMS} items from registration to recall, on PostgreSQL and a hardhat node, its receipts verified by the CLI`, async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  t.comment(`hardhat node at ${node.url}; database: ${usingPostgres ? "PostgreSQL" : "PGlite on disk"}`);
  const deployed = await deployWithScriptPrinting(node.url);
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const work = await mkdtemp(join(tmpdir(), "tracemark-trace-e2e-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const operator = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();

  const server = await startServer({
    ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: deployed.address, BATCH_MAX: "10000", BATCH_INTERVAL_MS: "300",
    PUBLIC_RATE_LIMIT: "100000", LOG_LEVEL: "warn",
  });
  t.teardown(() => server.kill("SIGKILL"));
  const trustFile = join(work, "trust.json");
  await writeFile(trustFile, await (await fetch(`${server.url}/.well-known/tracemark-trust.json`)).text());

  const call = async <T>(token: string | null, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Answer<T>> => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": contentType }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const expect = async <T>(status: number, token: string | null, method: string, path: string, body?: unknown, contentType?: string): Promise<T> => {
    const answer = await call<T>(token, method, path, body, contentType);
    if (answer.status !== status) throw new Error(`${method} ${path}: ${answer.status}, not ${status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
    return answer.body;
  };

  // The operator: a merchant, its key and its GS1 Company Prefix, all through the admin API.
  const onboard = async (name: string, prefix: string) => {
    const merchant = await expect<{ id: string }>(201, operator.token, "POST", "/v1/admin/merchants", { name });
    const key = await expect<{ token: string }>(201, operator.token, "POST", "/v1/admin/keys", { role: "merchant", merchantId: merchant.id, label: name });
    await expect(201, operator.token, "POST", `/v1/admin/merchants/${merchant.id}/prefixes`, { prefix });
    return { merchantId: merchant.id, token: key.token };
  };
  const tea = await onboard("West Lake Tea Co.", PREFIX);
  const rival = await onboard("Copycat Tea Ltd.", FOREIGN_PREFIX);

  const gtin = gtinUnder(PREFIX, 42);
  await expect(201, tea.token, "POST", "/v1/products", { gtin, name: "Longjing green tea 250 g", brand: "West Lake", category: "tea", origin: "Hangzhou, CN" });
  await expect(201, tea.token, "POST", `/v1/products/${gtin}/lots`, { lot: LOT, productionDate: "260301", expiryDate: "280301", origin: "Meijiawu" });

  const started = performance.now();
  const job = await expect<{ id: string }>(202, tea.token, "POST", `/v1/products/${gtin}/lots/${LOT}/items`, { count: ITEMS });
  for (let status = ""; status !== "succeeded"; await sleep(100)) {
    const view = await expect<{ status: string; errors: string[] }>(200, tea.token, "GET", `/v1/jobs/${job.id}`);
    if (view.status === "failed") throw new Error(`items job failed: ${view.errors.join("; ")}`);
    status = view.status;
  }
  const items = (await expect<{ items: Array<{ serial: string; uri: string }> }>(200, tea.token, "GET", `/v1/jobs/${job.id}/items`)).items.map((i) => i.uri);
  t.equal(items.length, ITEMS, `${ITEMS} serialised items in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  t.equal(new Set(items).size, ITEMS, "each with a serial of its own");

  // EPCIS capture: small documents are stored before the 202, larger ones by the capture job.
  const capture = async (document: object): Promise<number> => {
    const accepted = await call<{ captureID: string }>(tea.token, "POST", "/epcis/capture", document, "application/ld+json");
    if (accepted.status !== 202) throw new Error(`capture: ${accepted.status} ${JSON.stringify(accepted.body)}`);
    for (;;) {
      const job = await expect<{ running: boolean; success: boolean; stored: number; errors: string[] }>(200, tea.token, "GET", `/epcis/capture/${accepted.body.captureID}`);
      if (!job.running) {
        if (!job.success) throw new Error(`capture failed: ${job.errors.join("; ")}`);
        return job.stored;
      }
      await sleep(100);
    }
  };
  const stages = journey(PREFIX, items, PER_CASE);
  for (const stage of stages) {
    const stageStarted = performance.now();
    let stored = 0;
    // Up to 2,500 events a document: what a warehouse system sends at the end of a shift.
    for (const document of documentsOf(stage, 2_500)) stored += await capture(document);
    t.equal(stored, stage.events.length, `${stage.name}: ${stored} events captured in ${((performance.now() - stageStarted) / 1000).toFixed(1)} s`);
  }

  const lotUri = `${items[0]!.slice(0, items[0]!.indexOf("/21/"))}/10/${LOT}`;
  await expect(201, tea.token, "POST", `/v1/products/${gtin}/lots/${LOT}/recalls`, { reason: "Pesticide residue above the limit", instructions: "Return the tin to the shop for a refund" });

  await t.test("another merchant cannot register under the prefix, capture events about the items, or recall the lot", async (t) => {
    const product = await call<{ error: { code: string; field: string } }>(rival.token, "POST", "/v1/products", { gtin: gtinUnder(PREFIX, 43), name: "Longjing (copy)" });
    t.equal(product.status, 403, "a GTIN under a foreign prefix is refused");
    t.match(product.body.error, { code: "FORBIDDEN", field: "body.gtin" });
    const document = epcisDocument([objectEvent({ eventTime: "2026-03-05T00:00:00.000Z", epcList: [items[7]!], bizStep: "destroying", disposition: "destroyed" })]);
    const event = await call<{ error: { code: string; field: string } }>(rival.token, "POST", "/epcis/capture", document, "application/ld+json");
    t.equal(event.status, 403, "an event about a foreign item is refused");
    t.match(event.body.error, { code: "FORBIDDEN", field: "body.epcisBody.eventList[0].epcList[0]" });
    const recall = await call<{ error: { code: string } }>(rival.token, "POST", `/v1/products/${gtin}/lots/${LOT}/recalls`, { reason: "sabotage" });
    t.equal(recall.status, 404, "a foreign lot is not found");
    t.match(recall.body.error, { code: "NOT_FOUND" });
  });

  const seed = seedFrom("TRACEMARK_E2E_SEED");
  const random = seededRandom(seed);
  const sample = new Set([0, ITEMS - 1]);
  while (sample.size < SAMPLE + 2) sample.add(random.int(0, ITEMS - 1));
  t.comment(`sample of ${sample.size} items (seed ${seed}: TRACEMARK_E2E_SEED=${seed} draws it again)`);
  const historyOf = (uri: string) => expect<TraceViewT>(200, null, "GET", `/v1/trace?uri=${encodeURIComponent(uri)}`);

  await t.test("each sampled item's history shows its own, its lot's and its case's events, and the recall", async (t) => {
    for (const i of sample) {
      const view = await historyOf(items[i]!);
      const caseSubject = view.containers[0]?.subject;
      // Item n was packed into case floor(n / PER_CASE): the case events shown are about that case.
      const caseEvents = view.timeline.filter((e) => e.via === "container").map((e) => (JSON.parse(e.payload!) as { epcList: string[] }).epcList);
      const steps = view.timeline.map((e) => `${e.via}:${e.kind === "epcis.event" ? (e.disposition === "recalled" ? "recall" : e.bizStep) : e.kind}`);
      const expected = ["item:commissioning", "item:packing", "container:shipping", "container:receiving", "item:retail_selling", "product:trace.product", "lot:trace.lot", "item:trace.item", "lot:recall"];
      const ok =
        view.level === "item" &&
        view.recall.recalled &&
        view.recall.recalls.some((r) => r.level === "lot" && r.subject === lotUri && r.reason === "Pesticide residue above the limit") &&
        view.containers.length === 1 &&
        caseSubject !== undefined &&
        caseEvents.every((epcs) => epcs.length === 1 && epcs[0] === caseEpc(PREFIX, Math.floor(i / PER_CASE))) &&
        expected.every((s) => steps.includes(s)) &&
        steps.length === expected.length;
      if (!ok) t.fail(`item ${i} (${items[i]}): containers ${JSON.stringify(view.containers)}, recall ${JSON.stringify(view.recall)}, timeline ${steps.join(", ")}`);
      else t.pass(`item ${i}: ${steps.length} entries, case ${caseSubject!.slice(caseSubject!.lastIndexOf("/") + 1)}, recalled`);
    }
  });

  await t.test("once the batches are final, every receipt in those histories is valid for the CLI with the server's trust pinned", async (t) => {
    const deadline = Date.now() + 120_000;
    const receipts = new Map<string, Receipt>();
    for (;;) {
      receipts.clear();
      for (const i of sample) for (const entry of (await historyOf(items[i]!)).timeline as Entry[]) receipts.set(entry.recordId, entry.receipt as Receipt);
      const notFinal = [...receipts.values()].filter((r) => r.anchor?.status !== "final").length;
      if (notFinal === 0) break;
      if (Date.now() > deadline) throw new Error(`${notFinal} of ${receipts.size} receipts not final in time`);
      await sleep(1_000);
    }
    t.comment(`${receipts.size} distinct receipts in ${new Set([...receipts.values()].map((r) => r.anchor!.batchSeq)).size} batches`);
    const files: string[] = [];
    for (const [id, receipt] of receipts) {
      const file = join(work, `${id}.json`);
      await writeFile(file, JSON.stringify(receipt));
      files.push(file);
    }
    let valid = 0;
    for (let i = 0; i < files.length; i += 200) {
      const run = await tracemark(["verify", ...files.slice(i, i + 200), "--rpc", node.url, "--trust", trustFile]);
      t.equal(run.code, 0, `receipts ${i}..${Math.min(i + 200, files.length) - 1}: exit 0 ${run.stderr}`);
      valid += Number(/(\d+) valid/.exec(run.stdout)?.[1] ?? 0);
    }
    t.equal(valid, receipts.size, `all ${receipts.size} receipts valid on chain`);
  });
});
