// How fast the public history answers for an item with 20 events, over a real socket on
// 127.0.0.1 with concurrent clients (issue 8's target on the 2-core machine: ≥ 3,000 req/s at
// p99 ≤ 20 ms). Requests revalidate nothing: each gets the full JSON, served from the cache after
// a fingerprint check shared with the requests that arrived with it. The figures are printed, never asserted:
// targets live in `npm run bench` (part trace).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import t from "tap";
import { bearer, buildTestApp } from "../support/app.ts";
import { epcisDocument, objectEvent, sgtin } from "../support/epcis.ts";
import { gtinUnder, merchantWithPrefix } from "../support/trace.ts";

const SECONDS = Number(process.env["TRACEMARK_BENCH_SECONDS"] ?? 3);
const CLIENTS = 16;

t.test("the history of an item with 20 events, under concurrent scanners", async (t) => {
  const h = await buildTestApp({ PUBLIC_BASE_URL: "https://trace.example.com", PUBLIC_RATE_LIMIT: "100000000" });
  t.teardown(h.close);
  const a = await merchantWithPrefix(h, "Busy Shop", "9527100");
  const gtin = gtinUnder("9527100", 1);
  t.equal((await h.app.inject({ method: "POST", url: "/v1/products", headers: bearer(a), payload: { gtin, name: "Oolong" } })).statusCode, 201);
  const events = Array.from({ length: 20 }, (_, i) => objectEvent({ eventTime: new Date(Date.UTC(2026, 1, 1) + i * 3_600_000).toISOString(), epcList: [sgtin(gtin, "HOT1")], bizStep: "inspecting" }));
  t.equal((await h.app.inject({ method: "POST", url: "/epcis/capture", headers: bearer(a), payload: epcisDocument(events) })).statusCode, 202);

  const address = await h.app.listen({ host: "127.0.0.1", port: 0 });
  const url = `${address}/v1/trace?uri=${encodeURIComponent(`https://trace.example.com/01/0${gtin}/21/HOT1`)}`;
  const first = await fetch(url);
  t.equal(first.status, 200);
  t.equal(((await first.json()) as { timeline: unknown[] }).timeline.length, 21, "the item's 20 events and its product's record");

  // The server alone, without HTTP: one cached answer at a time.
  const inProcess = performance.now();
  for (let i = 0; i < 200; i++) await h.app.inject({ method: "GET", url: url.slice(address.length) });
  t.comment(`inject: ${((performance.now() - inProcess) / 200).toFixed(2)} ms per request`);

  // The scanners: a client process of their own, so that the server keeps its event loop.
  const client = spawn(process.execPath, [fileURLToPath(new URL("../support/load-client.mjs", import.meta.url)), url, String(SECONDS), String(CLIENTS)]);
  let output = "";
  client.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise((resolve) => client.on("exit", resolve));
  const result = JSON.parse(output) as { requests: number; failures: number; p50: number; p99: number; clientCpuMsPer1k: number };
  const rate = Math.round(result.requests / SECONDS);
  t.comment(`${result.requests} requests in ${SECONDS} s with ${CLIENTS} clients: ${rate} req/s, p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms; load generator CPU ${result.clientCpuMsPer1k.toFixed(1)} ms per 1,000 requests`);
  t.equal(result.failures, 0, "every answer a 200");
});
