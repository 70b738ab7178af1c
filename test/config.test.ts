import t from "tap";
import { loadConfig } from "../src/config.ts";
import { ConfigError } from "../src/errors.ts";

t.test("uses the embedded defaults when nothing is set", async (t) => {
  const config = loadConfig({});
  t.equal(config.PORT, 3000);
  t.equal(config.BATCH_MAX, 10_000);
  t.equal(config.BATCH_INTERVAL_MS, 2_000);
  t.equal(config.DATABASE_URL, undefined);
  t.ok(Object.isFrozen(config), "the config object is frozen");
});

t.test("converts numbers from the environment", async (t) => {
  t.equal(loadConfig({ PORT: "8080", BATCH_MAX: "500" }).BATCH_MAX, 500);
});

t.test("rejects a bad value naming the variable and the value", async (t) => {
  t.throws(() => loadConfig({ PORT: "eighty" }), { name: "ConfigError", variable: "PORT", message: /PORT .*"eighty"/ });
  t.throws(() => loadConfig({ PORT: "70000" }), { variable: "PORT", message: /<= 65535/ });
  t.throws(() => loadConfig({ CHAIN_RPC_URL: "ftp://x" }), { name: "ConfigError", variable: "CHAIN_RPC_URL" });
});

t.test("never echoes a secret value in its error", async (t) => {
  const secret = "not-a-hex-key-but-very-secret";
  try {
    loadConfig({ ANCHOR_PRIVATE_KEY: secret });
    t.fail("should have thrown");
  } catch (error) {
    t.ok(error instanceof ConfigError);
    t.equal((error as ConfigError).variable, "ANCHOR_PRIVATE_KEY");
    t.notMatch((error as Error).message, secret);
  }
  try {
    loadConfig({ DATABASE_URL: "mysql://user:hunter2@db/x" });
    t.fail("should have thrown");
  } catch (error) {
    t.notMatch((error as Error).message, "hunter2");
  }
});

t.test("requires CONTRACT_ADDRESS along with CHAIN_RPC_URL", async (t) => {
  t.throws(() => loadConfig({ CHAIN_RPC_URL: "http://127.0.0.1:8545" }), { name: "ConfigError", variable: "CONTRACT_ADDRESS" });
  const ok = loadConfig({ CHAIN_RPC_URL: "http://127.0.0.1:8545", CONTRACT_ADDRESS: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
  t.equal(ok.CHAIN_RPC_URL, "http://127.0.0.1:8545");
});

t.test("requires a keystore password with a keystore", async (t) => {
  t.throws(() => loadConfig({ ANCHOR_KEYSTORE: "/tmp/k.json" }), { name: "ConfigError", variable: "ANCHOR_KEYSTORE_PASSWORD" });
});
