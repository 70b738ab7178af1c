import type { AddressInfo } from "node:net";
import t from "tap";
import { buildTestApp } from "../support/app.ts";
import { multipartType } from "../support/multipart.ts";
import { rawExchange, rawJson } from "../support/raw-http.ts";

t.test("a request body that trickles is cut off", async (t) => {
  // One second of grace, then 64 KiB/s: a byte every 200 ms is far behind.
  const h = await buildTestApp({ BODY_TIMEOUT_MS: "1000", BODY_MIN_BYTES_PER_SECOND: String(64 * 1024) });
  t.teardown(h.close);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const port = (h.app.server.address() as AddressInfo).port;
  const head = (path: string, type: string, length: number) =>
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
  const trickle = { chunk: "x", everyMs: 200, count: 100 };

  t.test("on the JSON verify route: 408 naming the body, then the connection closes", async (t) => {
    const res = await rawExchange(port, { head: head("/v1/verify", "application/json", 10_000), trickle, limitMs: 8_000 });
    t.equal(res.status, 408, res.response);
    t.match(rawJson(res.response), { error: { code: "REQUEST_TIMEOUT", field: "body" } });
    t.ok(res.closedByServer, "the server closed the connection");
    t.ok(res.closedAfterMs < 4_000, `closed after ${res.closedAfterMs} ms`);
  });

  t.test("on the upload route, which reads the raw request: 408, then closed", async (t) => {
    const res = await rawExchange(port, { head: head("/v1/verify/upload", multipartType(), 10_000_000), trickle, limitMs: 8_000 });
    t.equal(res.status, 408, res.response);
    t.ok(res.closedByServer);
    t.ok(res.closedAfterMs < 4_000, `closed after ${res.closedAfterMs} ms`);
  });

  t.test("after an early answer (401 on a keyed route), the unread rest may not trickle on either", async (t) => {
    const res = await rawExchange(port, { head: head("/v1/records", "application/json", 10_000), trickle, limitMs: 8_000 });
    t.equal(res.status, 401);
    t.ok(res.closedByServer, "the server closed the connection");
    t.ok(res.closedAfterMs < 4_000, `closed after ${res.closedAfterMs} ms`);
  });

  t.test("a body that keeps the minimum rate is not cut off, however long it takes", async (t) => {
    // 32 KiB every 250 ms (128 KiB/s) for 2.5 s: past the 1 s grace, ahead of the 64 KiB/s rate.
    const chunk = "x".repeat(32 * 1024);
    const length = 10 * chunk.length;
    const res = await rawExchange(port, { head: head("/v1/verify", "application/json", length), trickle: { chunk, everyMs: 250, count: 10 }, limitMs: 5_000 });
    t.equal(res.status, 400, "answered: the body is read whole (and is not JSON)");
    t.match(rawJson(res.response), { error: { field: "body" } });
    t.ok(res.answeredAfterMs! >= 2_400, `answered after the whole body, ${res.answeredAfterMs} ms`);
  });
});
