// The clone rules, one at a time: each warning appears exactly when its facts say so.
import t from "tap";
import { cloneWarnings, type CloneFacts } from "../../src/scans/clone-rules.ts";

const now = new Date("2026-11-20T10:00:00Z");
const shipped = new Date("2026-11-18T10:00:00Z");
const base: CloneFacts = { now, shippedOrSoldAt: shipped, devices: 1, claim: null, otherDevicesSinceClaim: 0 };
const codes = (facts: Partial<CloneFacts>, maxDevices = 5) => cloneWarnings({ ...base, ...facts }, { maxDevices }).map((w) => w.code);

t.test("an item shipped before the scan, checked on one device, unclaimed, raises nothing", async (t) => {
  t.same(codes({}), []);
});

t.test("a scan before the item was shipped or sold warns", async (t) => {
  t.same(codes({ shippedOrSoldAt: null }), ["not-shipped-or-sold"], "no shipping or sale in the history");
  t.same(codes({ shippedOrSoldAt: new Date("2026-11-21T00:00:00Z") }), ["not-shipped-or-sold"], "the shipping is dated after the scan");
  t.same(codes({ shippedOrSoldAt: now }), [], "shipped at the very moment of the scan counts as shipped");
});

t.test("a claim counts as a sale: a claimed item is never 'not shipped'", async (t) => {
  t.same(codes({ shippedOrSoldAt: null, claim: { claimedAt: shipped, byThisDevice: true } }), []);
});

t.test("a claimed item scanned on another device warns that it may be a copy, with the claim's date", async (t) => {
  const warnings = cloneWarnings({ ...base, devices: 2, claim: { claimedAt: shipped, byThisDevice: false }, otherDevicesSinceClaim: 1 }, { maxDevices: 5 });
  t.same(warnings, [{ code: "claimed-elsewhere", claimedAt: shipped.toISOString() }]);
});

t.test("the claimer's own device is told when other devices checked the code since the claim", async (t) => {
  t.same(codes({ claim: { claimedAt: shipped, byThisDevice: true }, otherDevicesSinceClaim: 0 }), [], "nobody else since: nothing");
  const warnings = cloneWarnings({ ...base, devices: 3, claim: { claimedAt: shipped, byThisDevice: true }, otherDevicesSinceClaim: 2 }, { maxDevices: 5 });
  t.same(warnings, [{ code: "checked-since-claim", devices: 2, claimedAt: shipped.toISOString() }]);
});

t.test("more devices than the threshold warns; exactly the threshold does not", async (t) => {
  t.same(codes({ devices: 5 }, 5), []);
  t.same(cloneWarnings({ ...base, devices: 6 }, { maxDevices: 5 }), [{ code: "many-devices", devices: 6, maxDevices: 5 }]);
  t.same(codes({ devices: 2 }, 1), ["many-devices"], "the threshold comes from the caller (CLONE_MAX_DEVICES)");
});

t.test("rules add up: unsold, claimed elsewhere and too many devices at once", async (t) => {
  t.same(codes({ shippedOrSoldAt: null, devices: 9, claim: { claimedAt: shipped, byThisDevice: false } }), ["claimed-elsewhere", "many-devices"], "the claim makes it sold");
  t.same(codes({ shippedOrSoldAt: null, devices: 9 }), ["not-shipped-or-sold", "many-devices"]);
});
