// TRACEMARK_DEMO=1: seeds the demo story (story.ts) into a fresh service through its own routes
// (app.inject: the same validation, ownership checks and records as any merchant's requests),
// and prints the demo merchant's key once and the resolver URL of each product, lot and item.
import type { FastifyInstance } from "fastify";
import { issueApiKey } from "../auth/api-keys.ts";
import type { Db } from "../db/database.ts";
import { createMerchant } from "../merchants/merchants.ts";
import { assignPrefix, ownerOfGtin } from "../trace/prefixes.ts";
import { DEMO_LOTS, DEMO_MERCHANT, DEMO_PREFIX, DEMO_PRODUCT, DEMO_RECALL, demoEventsDocument, demoSscc, keyUnderDemoPrefix } from "./story.ts";

export interface DemoSeeded {
  /** The demo merchant's API key; null when the demo was seeded before (its key was shown then). */
  merchantKey: string | null;
  /** Resolver URLs: the product, then each lot, then each item. */
  urls: string[];
  /** The pages to open first in a browser: a sold item's history, and the recalled lot. */
  browse: { item: string | null; recalledLot: string };
}

const JOB_POLL_MS = 100;

export async function seedDemo(app: FastifyInstance, db: Db, base: string): Promise<DemoSeeded> {
  const gtin = `0${keyUnderDemoPrefix(1)}`;
  const productUrl = `${base}/01/${gtin}`;
  const lotUrl = (lot: string) => `${productUrl}/10/${encodeURIComponent(lot)}`;
  if ((await ownerOfGtin(db, gtin)) !== null) {
    // A kept database (PGLITE_DATA_DIR) seeded on an earlier start: the URLs still hold.
    return { merchantKey: null, urls: [productUrl, lotUrl(DEMO_LOTS.sold.lot), lotUrl(DEMO_LOTS.recalled.lot)], browse: { item: null, recalledLot: lotUrl(DEMO_LOTS.recalled.lot) } };
  }
  const merchant = await createMerchant(db, DEMO_MERCHANT);
  await assignPrefix(db, merchant.id, DEMO_PREFIX);
  const key = await issueApiKey(db, { role: "merchant", merchantId: merchant.id, label: "demo merchant" });
  const send = async (method: "GET" | "POST", url: string, payload?: object) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${key.token}` }, ...(payload && { payload }) });
    if (res.statusCode >= 300) throw new Error(`demo: ${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.json() as Record<string, unknown>;
  };

  await send("POST", "/v1/products", { gtin, ...DEMO_PRODUCT });
  const items: Record<string, string[]> = {};
  for (const { lot, productionDate, origin, items: count } of Object.values(DEMO_LOTS)) {
    await send("POST", `/v1/products/${gtin}/lots`, { lot, productionDate, origin });
    items[lot] = await generateItems(send, `/v1/products/${gtin}/lots/${encodeURIComponent(lot)}/items`, count);
  }
  const sold = items[DEMO_LOTS.sold.lot]!;
  await send("POST", "/epcis/capture", demoEventsDocument({ base, items: sold, caseUri: `${base}/00/${demoSscc()}` }));
  await send("POST", `/v1/products/${gtin}/lots/${encodeURIComponent(DEMO_LOTS.recalled.lot)}/recalls`, DEMO_RECALL);

  const lots = Object.values(DEMO_LOTS).map(({ lot }) => lot);
  return {
    merchantKey: key.token,
    urls: [productUrl, ...lots.map(lotUrl), ...lots.flatMap((lot) => items[lot]!)],
    browse: { item: sold[0] ?? null, recalledLot: lotUrl(DEMO_LOTS.recalled.lot) },
  };
}

/** Runs an items job to its end and returns the items' Digital Link URIs. */
async function generateItems(send: (method: "GET" | "POST", url: string, payload?: object) => Promise<Record<string, unknown>>, url: string, count: number): Promise<string[]> {
  const job = (await send("POST", url, { count })) as { id: string };
  for (;;) {
    const state = (await send("GET", `/v1/jobs/${job.id}`)) as { status: string; errors: string[] };
    if (state.status === "succeeded") break;
    if (state.status === "failed") throw new Error(`demo: the items job failed: ${state.errors.join("; ")}`);
    await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
  }
  const { items } = (await send("GET", `/v1/jobs/${job.id}/items`)) as { items: Array<{ uri: string }> };
  return items.map((item) => item.uri);
}
