// A merchant's product, lot and serialised items with scratch PINs, for the consumer tests
// (scans, clone warnings, claims): everything through the API, the PINs from the job's one CSV.
import type { IssuedKey } from "../../src/auth/api-keys.ts";
import { bearer, type TestApp } from "./app.ts";
import { epcisDocument } from "./epcis.ts";
import { gtinUnder, merchantWithPrefix } from "./trace.ts";

export interface PinnedItem {
  serial: string;
  uri: string;
  pin: string;
}

export interface ConsumerFixture {
  merchant: IssuedKey & { merchantId: string };
  gtin: string;
  lotSubjectPath: string;
  items: PinnedItem[];
  /** Captures EPCIS events as the merchant and waits until they are written. */
  capture(events: object[]): Promise<void>;
}

export async function itemsWithPins(h: TestApp, count: number, prefix = "9521234"): Promise<ConsumerFixture> {
  const merchant = await merchantWithPrefix(h, "Silk Road Live", prefix);
  const gtin = gtinUnder(prefix, 7);
  const call = async (method: "GET" | "POST", url: string, payload?: object) => {
    const res = await h.app.inject({ method, url, headers: bearer(merchant), ...(payload ? { payload } : {}) });
    if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res;
  };
  await call("POST", "/v1/products", { gtin, name: "Silk scarf" });
  await call("POST", `/v1/products/${gtin}/lots`, { lot: "L1" });
  const job = (await call("POST", `/v1/products/${gtin}/lots/L1/items`, { count, pins: true })).json();
  for (let i = 0; i < 200; i++) {
    if ((await call("GET", `/v1/jobs/${job.id}`)).json().status === "succeeded") break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const csv = (await call("GET", `/v1/jobs/${job.id}/items?format=csv`)).body;
  const items = csv
    .trim()
    .split("\r\n")
    .slice(1)
    .map((line) => {
      const [serial, uri, pin] = line.split(",") as [string, string, string];
      return { serial, uri, pin };
    });
  if (items.length !== count || items.some((i) => !i.pin)) throw new Error(`expected ${count} items with PINs, got ${csv}`);
  const capture = async (events: object[]) => {
    const res = await h.app.inject({ method: "POST", url: "/epcis/capture", headers: bearer(merchant), payload: epcisDocument(events) });
    if (res.statusCode !== 202) throw new Error(`capture: ${res.statusCode} ${res.body}`);
    const url = res.headers["location"] as string;
    for (let i = 0; i < 200; i++) {
      const state = (await h.app.inject({ method: "GET", url, headers: bearer(merchant) })).json();
      if (state.running === false) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error("the capture did not finish");
  };
  return { merchant, gtin, lotSubjectPath: `/01/0${gtin}/10/L1`, items, capture };
}
