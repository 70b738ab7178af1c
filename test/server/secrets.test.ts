// The RPC URL's key never leaves the process: not in its logs, its answers, the deploy script's
// output or the verifier's. A real server and a real `hardhat node`, reached through a loopback
// endpoint whose URL carries its key in the path, the query and the userinfo; then that endpoint
// fails, so that the errors which copy URLs (ethers' `requestUrl`, a gateway echoing its path)
// actually happen.
import t, { type Test } from "tap";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { issueApiKey } from "../../src/auth/api-keys.ts";
import { openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { createTestDatabase, testConfig, usingPostgres } from "../support/database.ts";
import { freeLoopbackPort, startHardhatNode } from "../support/hardhat-node.ts";
import { startKeyedRpcProxy } from "../support/keyed-rpc-proxy.ts";
import { spawnServer, startServer } from "../support/server-process.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
// With trust auth PostgreSQL ignores the password, so a URL can carry one to prove it is never shown.
const DATABASE_PASSWORD = "SECRETKEYDB4242";

interface Run {
  code: number;
  output: string;
}

async function runNode(args: string[], env: Record<string, string>): Promise<Run> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env: { PATH: process.env["PATH"] ?? "", ...env }, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test("an RPC URL's key and a database password never appear in anything the service or its commands print", async (t) => {
  const node = await startHardhatNode();
  t.teardown(node.stop);
  const rpc = await startKeyedRpcProxy(node.url);
  t.teardown(rpc.close);
  const secrets: Record<string, string> = usingPostgres ? { ...rpc.secrets, "database password": DATABASE_PASSWORD } : rpc.secrets;
  const showsNoSecret = (t: Test, text: string, where: string) => {
    for (const [kind, secret] of Object.entries(secrets)) t.notOk(text.includes(secret), `${where} does not contain the RPC URL's ${kind}`.replace("RPC URL's database", "database"));
  };

  const deploy = await runNode(["scripts/deploy.ts"], { CHAIN_RPC_URL: rpc.url });
  t.equal(deploy.code, 0, "deploys through the keyed endpoint");
  showsNoSecret(t, deploy.output, "the deploy script's output");
  const contract = /^CONTRACT_ADDRESS=(0x[0-9a-fA-F]{40})$/m.exec(deploy.output)?.[1] ?? "";

  const testDb = await createTestDatabase();
  t.teardown(testDb.drop);
  const dataDir = usingPostgres ? null : await mkdtemp(join(tmpdir(), "tracemark-pglite-"));
  const work = await mkdtemp(join(tmpdir(), "tracemark-secrets-"));
  t.teardown(() => Promise.all([dataDir, work].map((d) => (d ? rm(d, { recursive: true, force: true }) : undefined))));
  let dbEnv: Record<string, string> = { PGLITE_DATA_DIR: dataDir! };
  if (testDb.url) {
    const url = new URL(testDb.url);
    url.password = DATABASE_PASSWORD;
    dbEnv = { DATABASE_URL: url.toString() };
  }
  const handle = await openDatabase(testConfig(dbEnv));
  await migrateToLatest(handle.db);
  const admin = await issueApiKey(handle.db, { role: "admin" });
  await handle.close();

  const env = { ...dbEnv, CHAIN_RPC_URL: rpc.url, CONTRACT_ADDRESS: contract, BATCH_INTERVAL_MS: "100", CHAIN_POLL_MS: "50", LOG_LEVEL: "debug" };
  const server = await startServer(env);
  t.teardown(() => server.kill("SIGKILL"));
  t.match(server.output(), /chain 31337 at http:\/\/127\.0\.0\.1:\d+;/, "the start log names the RPC by scheme and host");

  const auth = { authorization: `Bearer ${admin.token}`, "content-type": "application/json" };
  const notarize = async (text: string) =>
    ((await (await fetch(`${server.url}/v1/records`, { method: "POST", headers: auth, body: JSON.stringify({ kind: "evidence.chat", subject: "order:secrets", payload: { text } }) })).json()) as { id: string }).id;
  const first = await notarize("anchored while the RPC works");
  let status = "accepted";
  for (let i = 0; i < 200 && status !== "final"; i++) {
    await sleep(100);
    status = ((await (await fetch(`${server.url}/v1/records/${first}`, { headers: auth })).json()) as { status: string }).status;
  }
  t.equal(status, "final", "a record is anchored through the keyed endpoint");
  const receipt = await (await fetch(`${server.url}/v1/records/${first}/receipt`, { headers: auth })).text();
  const receiptFile = join(work, "receipt.json");
  await writeFile(receiptFile, receipt);

  rpc.failing(true);
  await notarize("sealed while the RPC fails");
  for (let i = 0; i < 100 && !/anchorer failed; retrying/.test(server.output()); i++) await sleep(100);
  t.match(server.output(), /anchorer failed; retrying/, "the anchorer met the failing RPC and logged it");

  const readyz = await fetch(`${server.url}/readyz`);
  const readiness = await readyz.text();
  t.equal(readyz.status, 503, "/readyz says the chain does not answer");
  t.match(readiness, /502/, "and why");
  showsNoSecret(t, readiness, "/readyz");

  const verified = await fetch(`${server.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ receipt: JSON.parse(receipt) }) });
  showsNoSecret(t, await verified.text(), "POST /v1/verify");

  const cli = await runNode(["scripts/tracemark.mjs", "verify", receiptFile, "--rpc", rpc.url], {});
  t.equal(cli.code, 4, "tracemark verify exits 4: the chain could not be asked");
  t.match(cli.output, /127\.0\.0\.1/, "and names the RPC by its host");
  showsNoSecret(t, cli.output, "tracemark verify's output");

  const fails = spawnServer({ ...env, PORT: String(await freeLoopbackPort()) });
  t.equal(await fails.exited, 1, "a server started while the RPC fails exits 1");
  showsNoSecret(t, fails.output(), "its one-line reason");

  server.kill("SIGTERM");
  t.equal(await server.exited, 0, "exits 0 after SIGTERM");
  showsNoSecret(t, server.output(), "the server's whole log (stdout and stderr), at debug level");
  t.notOk(server.output().includes(admin.token.slice("tmk_".length + 12 + 1)), "the server's log holds no API key");
});
