import t, { type Test } from "tap";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { deployWithScript } from "../support/deploy-script.ts";
import { freeLoopbackPort, startHardhatNode } from "../support/hardhat-node.ts";
import { spawnServer, startServer } from "../support/server-process.ts";

t.test("the service in real mode: a JSON-RPC chain and a persistent database", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  t.comment(`hardhat node over JSON-RPC at ${node.url}`);
  const contract = await deployWithScript(node.url);
  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const dataDir = usingPostgres ? null : await mkdtemp(join(tmpdir(), "tracemark-pglite-"));
  t.teardown(() => (dataDir ? rm(dataDir, { recursive: true, force: true }) : undefined));
  const dbEnv: Record<string, string> = testDb.url ? { DATABASE_URL: testDb.url } : { PGLITE_DATA_DIR: dataDir! };
  t.comment(`database: ${usingPostgres ? "PostgreSQL" : "PGlite on disk"}`);
  const env = { ...dbEnv, CHAIN_RPC_URL: node.url, CONTRACT_ADDRESS: contract, BATCH_INTERVAL_MS: "200" };

  t.test("starts, is ready, notarizes and anchors, and drains on SIGTERM", async (t) => {
    // The first admin key comes from the admin command, not from the server (real mode).
    const handle = await openDatabase(testConfig(dbEnv));
    await migrateToLatest(handle.db);
    const admin = await issueApiKey(handle.db, { role: "admin" });
    await handle.close();

    const server = await startServer(env);
    t.teardown(() => server.kill("SIGKILL"));
    t.match(server.output(), /chain 31337 at http:\/\/127\.0\.0\.1/);
    t.notMatch(server.output(), /Embedded mode: first admin API key/, "real mode prints no key");
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { ready: boolean; database: { detail: string } };
    t.equal(ready.ready, true);
    t.equal(ready.database.detail, usingPostgres ? "postgresql" : "pglite");

    const auth = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
    const accepted = (await (await fetch(`${server.url}/v1/records`, { method: "POST", headers: auth, body: JSON.stringify({ kind: "evidence.chat", subject: "order:1", payload: { text: "real mode" } }) })).json()) as { id: string };
    let status = "accepted";
    for (let i = 0; i < 100 && status !== "final"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await fetch(`${server.url}/v1/records/${accepted.id}`, { headers: auth })).json()) as { status: string }).status;
    }
    t.equal(status, "final", "the record is anchored on the hardhat node");

    server.kill("SIGTERM");
    t.equal(await server.exited, 0, "exits 0 after SIGTERM");
    t.match(server.output(), /draining requests/);
    t.match(server.output(), /"msg":"closed"/);
    t.notOk(server.output().includes(admin.token.slice("tmk_".length + 12 + 1)), "the key never reaches the logs");
  });

  const failsWith = async (t: Test, extra: Record<string, string>, pattern: RegExp) => {
    const server = spawnServer({ ...env, ...extra, PORT: String(await freeLoopbackPort()) });
    const code = await server.exited;
    t.equal(code, 1, "exits non-zero");
    const lines = server.output().trim().split("\n").filter((l) => l.startsWith("tracemark:"));
    t.equal(lines.length, 1, "with one line that says why");
    t.match(lines[0], pattern);
  };

  t.test("exits with a one-line reason when CHAIN_RPC_URL does not answer", async (t) => {
    await failsWith(t, { CHAIN_RPC_URL: `http://127.0.0.1:${await freeLoopbackPort()}` }, /CHAIN_RPC_URL .* does not answer eth_chainId/);
  });

  t.test("exits with a one-line reason when CONTRACT_ADDRESS holds no BatchAnchor", async (t) => {
    await failsWith(t, { CONTRACT_ADDRESS: "0x000000000000000000000000000000000000dEaD" }, /CONTRACT_ADDRESS .* has no code/);
  });

  t.test("exits with a one-line reason when DATABASE_URL cannot be reached", async (t) => {
    await failsWith(t, { DATABASE_URL: `postgres://postgres@127.0.0.1:${await freeLoopbackPort()}/nowhere` }, /cannot connect to PostgreSQL/);
  });

  t.test("exits with a one-line reason naming a bad variable, without echoing secrets", async (t) => {
    await failsWith(t, { ANCHOR_PRIVATE_KEY: "0xnot-a-key-secret-value" }, /invalid configuration: ANCHOR_PRIVATE_KEY has the wrong format$/);
  });
});
