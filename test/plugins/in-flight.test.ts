import { connect, type AddressInfo, type Socket } from "node:net";
import t from "tap";
import { buildTestApp } from "../support/app.ts";

t.test("public verification has a bound on requests in flight", async (t) => {
  const h = await buildTestApp({ VERIFY_CONCURRENCY: "2", BODY_TIMEOUT_MS: "10000" });
  t.teardown(h.close);
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const verify = () => fetch(`${url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });

  // Two requests whose bodies have not arrived yet hold both slots: a slot is taken before the body is read.
  const holders: Socket[] = [];
  t.teardown(() => holders.forEach((s) => s.destroy()));
  for (let i = 0; i < 2; i++) {
    const socket = connect({ host: "127.0.0.1", port: Number(new URL(url).port) });
    socket.on("error", () => {});
    socket.write("POST /v1/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
    holders.push(socket);
  }
  await new Promise((r) => setTimeout(r, 300));

  t.test("past the bound: an immediate 503 BUSY with Retry-After", async (t) => {
    const res = await verify();
    t.equal(res.status, 503);
    t.equal(res.headers.get("retry-after"), "1");
    const body = (await res.json()) as { error: { code: string; requestId: string } };
    t.equal(body.error.code, "BUSY");
    t.ok(body.error.requestId);
  });

  t.test("health is never behind the bound", async (t) => {
    t.equal((await fetch(`${url}/healthz`)).status, 200);
  });

  t.test("a slot comes back when its request ends, even by the client going away", async (t) => {
    holders.forEach((s) => s.destroy());
    await new Promise((r) => setTimeout(r, 300));
    const res = await verify();
    t.equal(res.status, 400, "verified (the empty body is a 400 naming body.receipt), not refused");
    t.equal(((await res.json()) as { error: { field: string } }).error.field, "body.receipt");
  });

});
