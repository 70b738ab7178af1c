// A load generator in its own process (so that the server under test keeps its event loop):
// `node load-client.mjs URL SECONDS CLIENTS` prints
// { requests, failures, seconds, p50, p99, clientCpuMsPer1k } as JSON.
//
// undici's Pool, one keep-alive connection per client and pipelining off (each connection sends a
// request only once the previous answer is in), the request built once: the generator's own cost
// per request is small and printed (clientCpuMsPer1k), so a rate it caps is seen as such.
import { Pool } from "undici";

const [url, seconds, clients] = [new URL(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])];
const pool = new Pool(url.origin, { connections: clients, pipelining: 1 });
const options = { path: `${url.pathname}${url.search}`, method: "GET" };
const latencies = [];
let failures = 0;
const cpuAtStart = process.cpuUsage();
const until = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const started = performance.now();
      try {
        const res = await pool.request(options);
        await res.body.dump({ limit: Number.POSITIVE_INFINITY });
        if (res.statusCode !== 200) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - started);
    }
  }),
);
const cpu = process.cpuUsage(cpuAtStart);
await pool.close();
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
const clientCpuMsPer1k = (cpu.user + cpu.system) / latencies.length;
console.log(JSON.stringify({ requests: latencies.length, failures, seconds, p50: at(0.5), p99: at(0.99), clientCpuMsPer1k }));
