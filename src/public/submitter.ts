// Who submits what nobody with a key submitted: public notarizations and item claims. Records
// name an api_keys row as their submitter; the row `public` (migration 009_scans) stands for "no
// key" and can never authenticate. Its role is never checked: it only owns rows.
import type { Principal } from "../auth/api-keys.ts";

export const PUBLIC_SUBMITTER_KEY_ID = "public";

/**
 * The principal for a keyless write: outside any merchant (public notarizations, which then own
 * their subject), or on a merchant's subject (a claim goes into the item's chain, which the
 * merchant owns, so its `prev` stays linear; the envelope's submitter is then that merchant).
 */
export function publicPrincipal(merchantId: string | null = null): Principal {
  return { keyId: PUBLIC_SUBMITTER_KEY_ID, role: "mediator", merchantId };
}
