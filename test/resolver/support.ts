// A merchant with a product, a lot and two serialised items, for the resolver and QR tests.
import { randomBytes } from "node:crypto";
import { bearer, buildTestApp, type TestApp } from "../support/app.ts";
import { gtinUnder, merchantWithPrefix, PUBLIC_BASE_URL } from "../support/trace.ts";

export const PREFIX = "9520123";

/** The key scratch PINs are hashed with (src/trace/pins.ts). */
export const PIN_HMAC_KEY = randomBytes(32).toString("hex");

export interface Catalogue {
  h: TestApp;
  key: { token: string; merchantId: string };
  gtin13: string;
  gtin14: string;
  lot: string;
  serials: string[];
  jobId: string;
  productUri: string;
  lotUri: string;
  itemUri: (serial: string) => string;
}

export async function catalogue(options: { pins?: boolean; items?: number } = {}): Promise<Catalogue> {
  const h = await buildTestApp({ PUBLIC_BASE_URL, PIN_HMAC_KEY });
  const key = await merchantWithPrefix(h, "Tea House", PREFIX);
  const gtin13 = gtinUnder(PREFIX, 42);
  const post = async (url: string, payload: object) => {
    const res = await h.app.inject({ method: "POST", url, headers: bearer(key), payload });
    if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  await post("/v1/products", { gtin: gtin13, name: "Longjing tea", brand: "West Lake", certificates: [{ sha256: "a".repeat(64), name: "organic.pdf", mediaType: "application/pdf" }] });
  const lot = "LJ/2026-A";
  await post(`/v1/products/${gtin13}/lots`, { lot, expiryDate: "2027-12-31" });
  const job = await post(`/v1/products/${gtin13}/lots/${encodeURIComponent(lot)}/items`, { count: options.items ?? 2, pins: options.pins ?? false });
  for (let status = ""; status !== "succeeded"; await new Promise((r) => setTimeout(r, 20))) {
    status = (await h.app.inject({ method: "GET", url: job.links.self, headers: bearer(key) })).json().status;
    if (status === "failed") throw new Error("items job failed");
  }
  const rows = await h.database.db.selectFrom("items").select("serial").where("job_id", "=", job.id).orderBy("job_index").execute();
  const gtin14 = `0${gtin13}`;
  const productUri = `${PUBLIC_BASE_URL}/01/${gtin14}`;
  return {
    h,
    key,
    gtin13,
    gtin14,
    lot,
    serials: rows.map((r) => r.serial),
    jobId: job.id as string,
    productUri,
    lotUri: `${productUri}/10/LJ%2F2026-A`,
    itemUri: (serial) => `${productUri}/21/${serial}`,
  };
}
