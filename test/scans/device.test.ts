// Coarse device ids: a /24 or /48 network plus the user agent, keyed, never the address itself.
import { randomBytes } from "node:crypto";
import t from "tap";
import { deviceHasher, networkOf } from "../../src/scans/device.ts";

t.test("the network of an address: /24 for IPv4 (mapped ones too), /48 for IPv6", async (t) => {
  t.equal(networkOf("203.0.113.77"), "203.0.113.0/24");
  t.equal(networkOf("::ffff:203.0.113.77"), "203.0.113.0/24", "an IPv4-mapped IPv6 address is its IPv4 address");
  t.equal(networkOf("2001:db8:abcd:12::1"), "2001:db8:abcd::/48");
  t.equal(networkOf("2001:0DB8:ABCD:0012:0000:0000:0000:0001"), "2001:db8:abcd::/48", "written out in full, upper case: the same network");
  t.equal(networkOf("2001:db8::1"), "2001:db8:0::/48", "a :: inside the first three groups fills them with zeros");
  t.equal(networkOf("::1"), "0:0:0::/48");
  t.equal(networkOf("fe80::1%eth0"), "fe80:0:0::/48", "a zone index is left out");
});

t.test("one device per network and user agent; the id is keyed and shows neither", async (t) => {
  const salt = randomBytes(32);
  const h = deviceHasher(salt);
  const ua = "Mozilla/5.0 (iPhone)";
  t.equal(h.device("203.0.113.7", ua), h.device("203.0.113.200", ua), "another address in the same /24: the same device");
  t.not(h.device("203.0.114.7", ua), h.device("203.0.113.7", ua), "another /24: another device");
  t.not(h.device("203.0.113.7", "Mozilla/5.0 (Android)"), h.device("203.0.113.7", ua), "another user agent: another device");
  t.equal(h.device("2001:db8:1:2::5", ua), h.device("2001:db8:1:ffff::9", ua), "IPv6 privacy addresses in one /48: one device");
  t.match(h.device("203.0.113.7", ua), /^[0-9a-f]{32}$/);
  t.notMatch(h.device("203.0.113.7", ua), /203/);
  t.not(deviceHasher(randomBytes(32)).device("203.0.113.7", ua), h.device("203.0.113.7", ua), "another salt: unlinkable ids");
  t.not(h.client("203.0.113.7"), h.client("203.0.113.8"), "a client for rate limits is its whole address");
  t.not(h.client("203.0.113.7"), h.device("203.0.113.7", ""), "client and device ids never coincide");
});
