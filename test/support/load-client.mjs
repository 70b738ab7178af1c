// A load generator in its own process (so that the server under test keeps its event loop):
// `node load-client.mjs URL SECONDS CLIENTS` prints { requests, failures, seconds, p50, p99 } as JSON.
const [url, seconds, clients] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const latencies = [];
let failures = 0;
const until = performance.now() + seconds * 1000;
await Promise.all(
  Array.from({ length: clients }, async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status !== 200) failures++;
      latencies.push(performance.now() - started);
    }
  }),
);
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))];
console.log(JSON.stringify({ requests: latencies.length, failures, seconds, p50: at(0.5), p99: at(0.99) }));
