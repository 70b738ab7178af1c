import t from "tap";
import { openChain } from "../../src/chain/connect.ts";
import { startPipeline } from "../../src/pipeline/pipeline.ts";
import { findRecords } from "../../src/records/repository.ts";
import { buildApp } from "../../src/app.ts";
import { bearer, merchantKey } from "../support/app.ts";
import { openTestDatabase } from "../support/database.ts";
import { deployWithScript } from "../support/deploy-script.ts";
import { startHardhatNode } from "../support/hardhat-node.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

const until = async (what: string, check: () => Promise<boolean>, ms = 30_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

t.test("while the RPC is down the API keeps accepting, the anchorer backs off, and it catches up after", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const contract = await deployWithScript(node.url);
  const proxy = await startTcpProxy(node.url);
  t.teardown(proxy.close);
  t.comment(`hardhat node over JSON-RPC at ${node.url}, reached through a switchable proxy at ${proxy.url}`);

  const { handle, config, teardown } = await openTestDatabase({ CHAIN_RPC_URL: proxy.url, CONTRACT_ADDRESS: contract, BATCH_INTERVAL_MS: "100", CHAIN_POLL_MS: "50" });
  t.teardown(teardown);
  const chain = await openChain(config, { info: () => {}, warn: () => {} });
  t.teardown(() => chain.close());
  const app = await buildApp({ config, database: handle, chain });
  t.teardown(() => app.close());
  const warnings: Array<{ loop?: string; retryInMs?: number }> = [];
  const pipeline = startPipeline(config, handle, chain, { info: () => {}, warn: (obj) => void warnings.push(obj as { loop?: string; retryInMs?: number }) });
  t.teardown(() => pipeline.stop());
  const merchant = await merchantKey(handle);

  await proxy.down();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await app.inject({ method: "POST", url: "/v1/records", headers: bearer(merchant), payload: { kind: "evidence.chat", subject: "outage", payload: { i } } });
    t.equal(res.statusCode, 202, `record ${i} accepted during the outage`);
    ids.push(res.json().id);
  }
  await until("a sealed batch", async () => (await handle.db.selectFrom("batches").select("seq").execute()).length > 0);
  await until("the anchorer to retry twice", async () => warnings.filter((w) => w.loop === "anchorer").length >= 2, 10_000);
  const delays = warnings.filter((w) => w.loop === "anchorer").map((w) => w.retryInMs ?? 0);
  t.ok(delays[1]! > delays[0]!, `the retries back off (${delays.join(", ")} ms)`);
  const during = await handle.db.selectFrom("batches").select("status").execute();
  t.ok(during.every((b) => b.status === "sealed" || b.status === "submitted"), "nothing is anchored while the chain is unreachable");

  await proxy.up();
  await until("every record final", async () => {
    const rows = await findRecords(handle.db, ids);
    return rows.length === ids.length && rows.every((r) => r.batch?.status === "final");
  }, 60_000);
  t.pass("every record accepted during the outage is final");
  t.equal(await chain.contract.anchorCount(), BigInt((await handle.db.selectFrom("batches").select("seq").execute()).length), "each batch anchored once");
});
