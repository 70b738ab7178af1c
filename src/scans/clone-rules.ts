// Cloned-code detection (issue 9): when a scan of an item's code should make the shopper wary.
// Pure: the facts come in, the warnings go out, so each rule is tested on its own
// (test/scans/clone-rules.test.ts). A copied QR code is usually printed many times and scanned
// by many people, often before the real item ever left the warehouse, and by others than the
// buyer who claimed the real one. None of these proves a copy: they are warnings, worded as such.

/** CBV 2.0 §7.1 business steps after which the item is out of the merchant's hands. */
export const SHIPPED_OR_SOLD_BIZ_STEPS: ReadonlySet<string> = new Set(["shipping", "retail_selling"]);
/** CBV 2.0 §7.2 dispositions that say the same (an order that marks an item sold will add one). */
export const SHIPPED_OR_SOLD_DISPOSITIONS: ReadonlySet<string> = new Set(["in_transit", "retail_sold"]);

export interface CloneFacts {
  /** When this scan happened. */
  now: Date;
  /** The earliest shipping or selling event in the item's history, or the order that sold it (order_items.sold_at), whichever came first; null when there is none. */
  shippedOrSoldAt: Date | null;
  /** Devices that have checked the item, this one included. */
  devices: number;
  /** The buyer's claim, if any, and whether this scan comes from the device that claimed it. */
  claim: { claimedAt: Date; byThisDevice: boolean } | null;
  /** Devices other than the claimer's that checked the item after it was claimed. */
  otherDevicesSinceClaim: number;
}

export interface CloneThresholds {
  /** More devices than this is a warning (CLONE_MAX_DEVICES). */
  maxDevices: number;
}

export type CloneWarning =
  /** Scanned while the history has no shipping or sale: a real item would still be with the merchant. */
  | { code: "not-shipped-or-sold" }
  /** Claimed by a buyer, and this scan comes from another device: if you just bought it, it may be a copy. */
  | { code: "claimed-elsewhere"; claimedAt: string }
  /** The claimer's own device: others have checked this code since the claim. */
  | { code: "checked-since-claim"; devices: number; claimedAt: string }
  /** More devices than the threshold have checked this one code. */
  | { code: "many-devices"; devices: number; maxDevices: number };

export type CloneWarningCode = CloneWarning["code"];

export function cloneWarnings(facts: CloneFacts, thresholds: CloneThresholds): CloneWarning[] {
  const warnings: CloneWarning[] = [];
  // A claim is a sale too: the buyer had the PIN under the label.
  const sold = facts.claim !== null || (facts.shippedOrSoldAt !== null && facts.shippedOrSoldAt.getTime() <= facts.now.getTime());
  if (!sold) warnings.push({ code: "not-shipped-or-sold" });
  if (facts.claim && !facts.claim.byThisDevice) {
    warnings.push({ code: "claimed-elsewhere", claimedAt: facts.claim.claimedAt.toISOString() });
  }
  if (facts.claim?.byThisDevice && facts.otherDevicesSinceClaim > 0) {
    warnings.push({ code: "checked-since-claim", devices: facts.otherDevicesSinceClaim, claimedAt: facts.claim.claimedAt.toISOString() });
  }
  if (facts.devices > thresholds.maxDevices) warnings.push({ code: "many-devices", devices: facts.devices, maxDevices: thresholds.maxDevices });
  return warnings;
}
