import type { Principal } from "../auth/api-keys.ts";

/** The `submitter` written into an envelope: the merchant, or the key for admin submissions. */
export function submitterOf(principal: Principal): string {
  return principal.merchantId ? `merchant:${principal.merchantId}` : `key:${principal.keyId}`;
}

/** The submitter and mediators (and the operator) may see a record's salt and envelope. */
export function maySeeRecord(principal: Principal, record: { submitter_key_id: string; merchant_id: string | null }): boolean {
  if (principal.role === "mediator" || principal.role === "admin") return true;
  return principal.merchantId !== null ? record.merchant_id === principal.merchantId : record.submitter_key_id === principal.keyId;
}
