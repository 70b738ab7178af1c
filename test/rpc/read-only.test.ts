// POST /rpc, the read-only JSON-RPC of the in-process chain: the allowed reads answer as the chain
// does, anything else is -32601, batches are bounded, and the endpoint is open to any origin.
import t from "tap";
import { MAX_BATCH, READ_METHODS } from "../../src/rpc/read-only.ts";
import { buildTestApp } from "../support/app.ts";

const h = await buildTestApp();
t.teardown(h.close);
const rpc = async (payload: unknown, headers: Record<string, string> = {}) => h.app.inject({ method: "POST", url: "/rpc", payload: payload as object, headers });

t.test("an allowed read answers as the chain does", async (t) => {
  const res = await rpc({ jsonrpc: "2.0", id: 7, method: "eth_chainId", params: [] });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { jsonrpc: "2.0", id: 7, result: `0x${h.chain.chainId.toString(16)}` });
  const code = (await rpc({ jsonrpc: "2.0", id: "c", method: "eth_getCode", params: [h.chain.contractAddress, "latest"] })).json();
  t.match(code, { id: "c", result: /^0x[0-9a-f]{100,}$/ }, "the contract's code");
});

t.test("a write is refused with -32601, and so is any method off the list", async (t) => {
  for (const method of ["eth_sendTransaction", "eth_sendRawTransaction", "eth_sign", "hardhat_mine", "evm_mine", "hardhat_setBalance", "eth_accounts", "debug_traceTransaction"]) {
    const res = await rpc({ jsonrpc: "2.0", id: 1, method, params: [] });
    t.equal(res.statusCode, 200, method);
    t.match(res.json(), { jsonrpc: "2.0", id: 1, error: { code: -32601, message: /read-only/ } }, `${method} is refused`);
  }
  t.equal(READ_METHODS.size, 10, "ten methods, all reads");
});

t.test("a chain error passes through as a JSON-RPC error", async (t) => {
  const res = await rpc({ jsonrpc: "2.0", id: 2, method: "eth_getBlockByNumber", params: ["not a block", false] });
  t.match(res.json(), { id: 2, error: { code: Number } });
});

t.test("batches: answered in order, at most MAX_BATCH calls, never empty", async (t) => {
  const batch = await rpc([
    { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" },
    { jsonrpc: "2.0", id: 2, method: "eth_sendTransaction", params: [{}] },
    { jsonrpc: "2.0", id: 3, method: "net_version" },
  ]);
  const answers = batch.json() as Array<{ id: number; result?: unknown; error?: { code: number } }>;
  t.same(answers.map((a) => a.id), [1, 2, 3]);
  t.match(answers[0], { result: /^0x/ });
  t.equal(answers[1]!.error?.code, -32601);
  t.match(answers[2], { result: String });
  const tooMany = await rpc(Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "eth_chainId" })));
  t.match(tooMany.json(), { id: null, error: { code: -32600, message: /at most 20/ } });
  t.match((await rpc([])).json(), { error: { code: -32600 } });
});

t.test("malformed requests are JSON-RPC errors; a body over the cap is 413", async (t) => {
  t.match((await rpc({ id: 1, method: "eth_chainId" })).json(), { id: 1, error: { code: -32600 } }, "no jsonrpc member");
  t.match((await rpc({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: "x" })).json(), { error: { code: -32600 } }, "params not an array");
  t.match((await rpc([1, "x"])).json(), [{ error: { code: -32600 } }, { error: { code: -32600 } }]);
  const big = await rpc({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ data: `0x${"00".repeat(40_000)}` }, "latest"] });
  t.equal(big.statusCode, 413);
});

t.test("any origin may call it (CORS), without credentials", async (t) => {
  const pre = await h.app.inject({ method: "OPTIONS", url: "/rpc", headers: { origin: "https://shop.example", "access-control-request-method": "POST", "access-control-request-headers": "content-type" } });
  t.equal(pre.headers["access-control-allow-origin"], "*");
  const res = await rpc({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }, { origin: "https://shop.example" });
  t.equal(res.headers["access-control-allow-origin"], "*");
});
