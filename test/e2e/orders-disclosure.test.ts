// Issue 10's "must show" for transactions, end to end on a real server process (PostgreSQL in CI)
// anchoring on a `hardhat node`, checked by the `tracemark` CLI against that RPC with the
// server's trust pinned: an order of two serialised items, a payment, a chat file, a screenshot and
// an after-sales request; a disclosure of only the price and the item serials that verifies while
// the buyer stays hidden; a tampered disclosed value that fails; then the buyer's erasure, after
// which every receipt of the order still verifies and the buyer's data is nowhere to recover.
import t from "tap";
import { sql } from "kysely";
import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { decodeDisclosure, encodeDisclosure, type Receipt } from "../../src/merkle/index.ts";
import { createTestDatabase, testConfig } from "../support/database.ts";
import { deployWithScriptPrinting } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { startServer } from "../support/server-process.ts";
import { gtinUnder } from "../support/trace.ts";

const CLI = fileURLToPath(new URL("../../scripts/tracemark.mjs", import.meta.url));
const BUYER = "douyin:7781203344";
const PHONE = "+86 138 0013 8000";

function tracemark(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : -1, stdout, stderr }),
    );
  });
}

interface OrderView {
  records: { id: string; kind: string; recordHash: string; receipt: Receipt; erasedFields: number }[];
}

t.test("an order's evidence, disclosed in part and erased in part, verifies with the CLI on chain", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const deployed = await deployWithScriptPrinting(node.url);
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const work = await mkdtemp(join(tmpdir(), "tracemark-orders-"));
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: join(work, "pglite") };
  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const admin = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();
  const server = await startServer({ ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: deployed.address, CONTRACT_DEPLOY_BLOCK: String(deployed.deployBlock), BATCH_INTERVAL_MS: "300", LOG_LEVEL: "warn" });
  t.teardown(() => server.kill("SIGKILL"));
  const trustFile = join(work, "trust.json");
  await writeFile(trustFile, await (await fetch(`${server.url}/.well-known/tracemark-trust.json`)).text());

  const call = async <T>(key: string, method: string, path: string, body?: unknown, expect = [200, 201, 202]): Promise<T> => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };
  const asAdmin = <T>(method: string, path: string, body?: unknown, expect?: number[]) => call<T>(admin.token, method, path, body, expect);

  // The operator makes the merchant; the merchant registers a product, a lot and two items.
  const merchant = await asAdmin<{ id: string }>("POST", "/v1/admin/merchants", { name: "丝路直播 Silk Road Live" });
  await asAdmin("POST", `/v1/admin/merchants/${merchant.id}/prefixes`, { prefix: "6905678" });
  const { token } = await asAdmin<{ token: string }>("POST", "/v1/admin/keys", { role: "merchant", merchantId: merchant.id });
  const shop = <T>(method: string, path: string, body?: unknown, expect?: number[]) => call<T>(token, method, path, body, expect);
  const gtin = gtinUnder("6905678", 1);
  await shop("POST", "/v1/products", { gtin, name: "桑蚕丝方巾 Silk scarf" });
  await shop("POST", `/v1/products/${gtin}/lots`, { lot: "SZ2611A" });
  const job = await shop<{ id: string; links: { self: string } }>("POST", `/v1/products/${gtin}/lots/SZ2611A/items`, { count: 2 });
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 100))) status = (await shop<{ status: string }>("GET", job.links.self)).status;
  const csv = await (await fetch(`${server.url}/v1/jobs/${job.id}/items?format=csv`, { headers: { authorization: `Bearer ${token}` } })).text();
  const serials = csv.trim().split(/\r?\n/).slice(1).map((line) => decodeURIComponent(line.split(",")[1]!.split("/21/")[1]!));
  t.equal(serials.length, 2);

  // The order, its payment, a chat file, a screenshot and an after-sales request.
  const { orderId, record: orderRecord } = await shop<{ orderId: string; record: { id: string } }>("POST", "/v1/orders", {
    orderRef: "DY-20261111-0042",
    placedAt: "2026-11-11T20:03:05+08:00",
    currency: "CNY",
    total: "398.00",
    items: serials.map((serial) => ({ gtin, serial, price: "199.00" })),
    buyer: { id: BUYER, phone: PHONE },
  });
  await shop("POST", `/v1/orders/${orderId}/payments`, { amount: "398.00", currency: "CNY", method: "alipay", reference: "2026111122001", paidAt: "2026-11-11T12:04:00Z" });
  const chatFile = join(work, "chat.txt");
  const chatBytes = Buffer.from("12:01 buyer: is it 100% mulberry silk?\n12:02 shop: yes, 100% mulberry silk, 7-day no-reason returns\n");
  await writeFile(chatFile, chatBytes);
  const chat = await shop<{ record: { id: string } }>("POST", `/v1/orders/${orderId}/chats`, { file: { sha256: createHash("sha256").update(chatBytes).digest("hex"), mediaType: "text/plain", name: "chat.txt" } });
  const screenshot = Buffer.from("\x89PNG\r\n\x1a\n a screenshot of the host's claim");
  await shop("POST", `/v1/orders/${orderId}/files`, { purpose: "screenshot", file: { sha256: createHash("sha256").update(screenshot).digest("hex"), mediaType: "image/png" } });
  await shop("POST", `/v1/orders/${orderId}/after-sales`, { type: "refund", reason: "the label says 70% silk", requestedAt: "2026-11-15T10:00:00Z", items: [{ gtin, serial: serials[0] }] });

  const final = async (count: number): Promise<OrderView> => {
    for (const until = Date.now() + 120_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      const view = await shop<OrderView>("GET", `/v1/orders/${orderId}`);
      if (view.records.length === count && view.records.every((r) => r.receipt.anchor?.status === "final")) return view;
    }
    throw new Error("the order's records did not reach final in time");
  };
  const view = await final(5);
  t.same(view.records.map((r) => r.kind), ["evidence.order", "evidence.payment", "evidence.chat", "evidence.order-file.screenshot", "evidence.after-sales"]);

  const verifyAll = async (label: string, records: OrderView["records"]) => {
    const files = await Promise.all(records.map(async (r, i) => {
      const file = join(work, `${label}-${i}.json`);
      await writeFile(file, JSON.stringify(r.receipt));
      return file;
    }));
    const run = await tracemark(["verify", ...files, "--rpc", node.url, "--trust", trustFile]);
    t.equal(run.code, 0, `${label}: every receipt of the order is valid on chain\n${run.stdout}${run.stderr}`);
    t.match(run.stdout, `${records.length} receipts: ${records.length} valid`);
  };
  await verifyAll("before", view.records);
  const chatReceipt = join(work, "chat-receipt.json");
  await writeFile(chatReceipt, JSON.stringify(view.records.find((r) => r.id === chat.record.id)!.receipt));
  const chatRun = await tracemark(["verify", chatReceipt, "--content", chatFile, "--rpc", node.url, "--trust", trustFile]);
  t.equal(chatRun.code, 0, `the chat file verifies against its record: ${chatRun.stdout}`);

  // A mediator is shown the price and the serials, nothing else.
  const doc = await shop<{ disclosures: string[] }>("POST", `/v1/orders/${orderId}/records/${orderRecord.id}/disclosure`, { fields: ["total", "items"] });
  const docFile = join(work, "disclosure.json");
  await writeFile(docFile, JSON.stringify(doc, null, 2));
  t.notMatch(JSON.stringify(doc), BUYER.split(":")[1]!, "the buyer is not in the document");
  const shown = await tracemark(["verify", docFile, "--rpc", node.url, "--trust", trustFile]);
  t.equal(shown.code, 0, `the disclosure verifies on chain:\n${shown.stdout}${shown.stderr}`);
  t.match(shown.stdout, 'total = "398.00"');
  for (const serial of serials) t.match(shown.stdout, serial, `the serial ${serial} is shown`);
  t.match(shown.stdout, "hidden fields: 4");
  t.notMatch(shown.stdout, /buyer/);
  const json = JSON.parse((await tracemark(["verify", docFile, "--rpc", node.url, "--trust", trustFile, "--json"])).stdout);
  t.same(json.disclosure.disclosed.map((d: { name: string }) => d.name), ["total", "items"]);
  t.equal(json.steps.at(-1).step, "disclosure");
  const served = (await (await fetch(`${server.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt: doc }) })).json()) as { status: string; disclosure: { hidden: number } };
  t.equal(served.status, "valid", "POST /v1/verify agrees");
  t.equal(served.disclosure.hidden, 4);

  // A disclosed value changed (the salt kept): its digest is not committed.
  const total = decodeDisclosure(doc.disclosures[0]!);
  const tampered = { ...doc, disclosures: [encodeDisclosure(total.salt, total.name, "39.80").disclosure, doc.disclosures[1]] };
  const tamperedFile = join(work, "tampered.json");
  await writeFile(tamperedFile, JSON.stringify(tampered));
  const refused = await tracemark(["verify", tamperedFile, "--rpc", node.url, "--trust", trustFile]);
  t.equal(refused.code, 1, "a tampered disclosed value is invalid, exit 1");
  t.match(refused.stdout, /✗ disclosure\s+DISCLOSURE_DIGEST_UNKNOWN/);

  // The buyer asks to be forgotten: the operator erases the order's personal data.
  const erasure = await asAdmin<{ erased: { fields: string[] }[] }>("POST", `/v1/orders/${orderId}/erasure`, { reason: "data subject request DSR-2026-17" });
  t.same(erasure.erased.map((e) => e.fields), [["buyer"]]);
  const after = await final(6);
  t.equal(after.records[5]!.kind, "evidence.erasure");
  t.equal(after.records[0]!.erasedFields, 1);
  await verifyAll("after", after.records);
  t.same(after.records.slice(0, 5).map((r) => r.receipt.record), view.records.map((r) => r.receipt.record), "the records themselves did not change");
  await shop("POST", `/v1/orders/${orderId}/records/${orderRecord.id}/disclosure`, { fields: ["buyer"] }, [422]);
  const again = await tracemark(["verify", docFile, "--rpc", node.url, "--trust", trustFile]);
  t.equal(again.code, 0, "the disclosure made before the erasure still verifies");

  // Unrecoverable: no table holds the buyer in any form the server could give back.
  const db = await openDatabase(testConfig(dbEnv));
  t.teardown(() => db.close());
  const { rows } = await sql<{ n: string }>`
    select count(*) as n from (
      select payload as t from record_payloads union all select disclosure from record_disclosures union all select envelope from records
      union all select row_to_json(o)::text from orders o union all select row_to_json(i)::text from order_items i) x
    where t like ${`%${BUYER}%`} or t like ${`%${PHONE}%`}`.execute(db.db);
  t.equal(Number(rows[0]!.n), 0, "the buyer's id and phone are in no row");
  const left = await db.db.selectFrom("record_disclosures").select("name").where("record_id", "=", orderRecord.id).orderBy("name").execute();
  t.same(left.map((r) => r.name), ["currency", "items", "orderRef", "placedAt", "total"], "every other field of the order can still be disclosed");
});
