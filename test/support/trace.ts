// Merchants with GS1 Company Prefixes and GTINs under them, for the traceability tests.
import type { IssuedKey } from "../../src/auth/api-keys.ts";
import { gs1CheckDigit } from "../../src/gs1/index.ts";
import { bearer, merchantKey, type TestApp } from "./app.ts";

/** The GTIN-13 with item reference `n` under `prefix` (GS1 General Specifications §3.3.2), check digit included. */
export function gtinUnder(prefix: string, n: number): string {
  const body = prefix + String(n).padStart(12 - prefix.length, "0");
  return body + gs1CheckDigit(body);
}

/** A merchant with a key and the given prefix, assigned through the admin API. */
export async function merchantWithPrefix(h: TestApp, name: string, prefix: string): Promise<IssuedKey & { merchantId: string }> {
  const key = await merchantKey(h.database, name);
  const res = await h.app.inject({ method: "POST", url: `/v1/admin/merchants/${key.merchantId}/prefixes`, headers: bearer(h.admin), payload: { prefix } });
  if (res.statusCode !== 201) throw new Error(`assigning ${prefix}: ${res.statusCode} ${res.body}`);
  return key as IssuedKey & { merchantId: string };
}

export const PUBLIC_BASE_URL = "https://trace.example.com";
