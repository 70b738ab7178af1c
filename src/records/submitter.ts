import type { Principal } from "../auth/api-keys.ts";

/** The `submitter` written into an envelope: the merchant, or the key for admin submissions. */
export function submitterOf(principal: Principal): string {
  return principal.merchantId ? `merchant:${principal.merchantId}` : `key:${principal.keyId}`;
}

/**
 * Who owns what a principal writes: its merchant (every key of the merchant shares its records
 * and subjects), or the key itself for an admin key, which belongs to no merchant. Records carry
 * the same two columns: merchant_id, and submitter_key_id.
 */
export type Owner = { merchantId: string; keyId: null } | { merchantId: null; keyId: string };

export function ownerOf(principal: Principal): Owner {
  return principal.merchantId !== null ? { merchantId: principal.merchantId, keyId: null } : { merchantId: null, keyId: principal.keyId };
}

/**
 * The records a principal may read (DESIGN.md "Visibility"): mediators and the operator read
 * every record; anyone else only its own. What is outside the scope is answered exactly as a
 * record that does not exist.
 */
export type ReadScope = "all" | Owner;

export function readScopeOf(principal: Principal): ReadScope {
  return principal.role === "mediator" || principal.role === "admin" ? "all" : ownerOf(principal);
}
