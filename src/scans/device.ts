// A coarse device id for scan counting (issue 9): HMAC-SHA256 (RFC 2104) under SCAN_DEVICE_SALT of
// the client's network and its user agent. The network, not the address: a /24 for IPv4, a /48
// for IPv6 (a site's usual allocation), so a phone that moves within its carrier's pool or gets a
// new IPv6 privacy address stays one device, and the id never holds or reveals the address. Two
// phones of one model on one network count as one device: the rules that use the count only ever
// warn, they never block anyone.
import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import { isIPv4, isIPv6 } from "node:net";
import type { Config } from "../config.ts";

/** Hex digits kept of the HMAC: 128 bits, far past any collision among one item's scanners. */
const ID_HEX = 32;

/** The network a client address belongs to, as text: "203.0.113.0/24", "2001:db8:1::/48". */
export function networkOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  const ip = mapped ?? address;
  if (isIPv4(ip)) return `${ip.split(".").slice(0, 3).join(".")}.0/24`;
  if (isIPv6(ip)) return `${ipv6Groups(ip).slice(0, 3).join(":")}::/48`;
  // Not an address (a unix socket, a test's fake): it stands for itself.
  return address;
}

/** The eight 16-bit groups of an IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const zone = ip.indexOf("%");
  const bare = zone >= 0 ? ip.slice(0, zone) : ip;
  const [head = "", tail] = bare.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  // An embedded IPv4 tail (::1.2.3.4) takes two groups; only the first three groups are kept anyway.
  const headGroups = part(head);
  const tailGroups = tail === undefined ? [] : part(tail);
  const fill = tail === undefined ? [] : Array.from({ length: Math.max(0, 8 - headGroups.length - tailGroups.length) }, () => "0");
  return [...headGroups, ...fill, ...tailGroups].map((g) => (g.includes(".") ? g : parseInt(g, 16).toString(16)));
}

export type DeviceHasher = {
  /** The device id of a scan: network and user agent. */
  device(address: string, userAgent: string | undefined): string;
  /** The id of a client for rate limits: its whole address, never stored raw. */
  client(address: string): string;
};

export function deviceHasher(salt: Buffer): DeviceHasher {
  // A key object made once: a raw Buffer key is prepared again at every createHmac call.
  const key = createSecretKey(salt);
  const mac = (text: string) => createHmac("sha256", key).update(text).digest("hex").slice(0, ID_HEX);
  return {
    // A newline cannot occur in either part (HTTP header values exclude it), so the message is unambiguous.
    device: (address, userAgent) => mac(`device\n${networkOf(address)}\n${userAgent ?? ""}`),
    client: (address) => mac(`client\n${address}`),
  };
}

let processSalt: Buffer | null = null;

/** SCAN_DEVICE_SALT, or a salt made for this process (counts of devices then restart with it). */
export function scanSaltOf(config: Config): { salt: Buffer; perProcess: boolean } {
  if (config.SCAN_DEVICE_SALT) return { salt: Buffer.from(config.SCAN_DEVICE_SALT.replace(/^0x/, ""), "hex"), perProcess: false };
  processSalt ??= randomBytes(32);
  return { salt: processSalt, perProcess: true };
}
