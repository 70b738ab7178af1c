// What a person sees when they start the service: one line when it cannot, readable logs at a
// terminal. Real processes, as `npm start` runs them.
import t from "tap";
import { createServer } from "node:net";
import { freeLoopbackPort } from "../support/hardhat-node.ts";
import { spawnServer, startServer } from "../support/server-process.ts";

t.test("a second instance on a busy port says so in one line and exits 1, before issuing a key", async (t) => {
  const port = await freeLoopbackPort();
  const first = createServer();
  await new Promise<void>((resolve) => first.listen(port, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => first.close(() => resolve())));

  const second = spawnServer({ PORT: String(port) });
  t.equal(await second.exited, 1, "exits 1");
  const lines = second.output().trim().split("\n");
  t.equal(lines.length, 1, "prints exactly one line");
  t.equal(lines[0], `tracemark: port ${port} on 127.0.0.1 is already in use (another Tracemark?); stop that process or set PORT`);
  t.notMatch(second.output(), /tmk_|admin API key/, "issues no admin key");
  t.notMatch(second.output(), /^\s+at /m, "shows no stack trace");
});

t.test("LOG_FORMAT=pretty gives readable lines; the embedded key is printed, never logged", async (t) => {
  const server = await startServer({ LOG_FORMAT: "pretty", PIPELINE: "off", LOG_LEVEL: "debug" });
  t.teardown(() => server.kill("SIGKILL"));
  await fetch(`${server.url}/v1/me`);
  server.kill("SIGTERM");
  t.equal(await server.exited, 0);
  const output = server.output();
  t.notMatch(output, /^\{"level"/m, "no JSON lines");
  t.match(output, /INFO.*Tracemark listening on http:\/\/127\.0\.0\.1:\d+/, "a level and a sentence per line");
  t.match(output, /DEBUG.*incoming request/, "request lines too, at LOG_LEVEL=debug");
  const token = /first admin API key[^\n]*\n\s*(tmk_\S+)/.exec(output)?.[1] ?? "";
  t.ok(/^tmk_[0-9a-f]{12}_/.test(token), "the embedded admin key is printed once");
  t.equal(output.split(token).length - 1, 1, "and appears nowhere else");
});
