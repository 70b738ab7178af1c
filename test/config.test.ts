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

t.test("PUBLIC_BASE_URL: the service's own address by default; an http(s) URL without query or fragment otherwise", async (t) => {
  const { publicBaseUrl } = await import("../src/config.ts");
  t.equal(publicBaseUrl(loadConfig({})), "http://127.0.0.1:3000", "embedded default: http://{HOST}:{PORT}");
  t.equal(publicBaseUrl(loadConfig({ HOST: "::1", PORT: "8080" })), "http://[::1]:8080");
  t.equal(publicBaseUrl(loadConfig({ PUBLIC_BASE_URL: "https://trace.example.com/" })), "https://trace.example.com", "a trailing slash is dropped");
  t.equal(publicBaseUrl(loadConfig({ PUBLIC_BASE_URL: "https://example.com/trace" })), "https://example.com/trace", "a path before the AIs is a custom stem (URI Syntax 1.6)");
  for (const [value, problem] of [
    ["ftp://example.com", /wrong format/],
    ["https://example.com/?a=1", /query/],
    ["https://example.com/#top", /fragment/],
    ["https://user:pw@example.com", /user name or password/],
    ["https://exa_mple.com", /Digital Link/],
  ] as const) {
    t.throws(() => loadConfig({ PUBLIC_BASE_URL: value }), { name: "ConfigError", variable: "PUBLIC_BASE_URL", message: problem }, value);
  }
});

t.test("PIN_HMAC_KEY is 32 bytes of hex and never echoed", async (t) => {
  t.equal(loadConfig({ PIN_HMAC_KEY: "ab".repeat(32) }).PIN_HMAC_KEY, "ab".repeat(32));
  const secret = "not-hex-but-secret-pin-key";
  try {
    loadConfig({ PIN_HMAC_KEY: secret });
    t.fail("should have thrown");
  } catch (error) {
    t.equal((error as ConfigError).variable, "PIN_HMAC_KEY");
    t.notMatch((error as Error).message, secret);
  }
});
