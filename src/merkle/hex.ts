// Hex conventions of receipt v1: Merkle hashes and salts are 64 lower-case hex digits without
// "0x"; Ethereum values keep their "0x" (docs/receipt-v1.md, "Hex").

export const HEX32_PATTERN = "^[0-9a-f]{64}$";
const HEX32 = new RegExp(HEX32_PATTERN);

/** True for exactly 64 lower-case hex digits (32 bytes), no prefix. */
export function isHex32(value: unknown): value is string {
  return typeof value === "string" && HEX32.test(value);
}

/** The 32 bytes of a 64-digit lower-case hex string; throws a TypeError otherwise. */
export function bytes32(hex: string): Buffer {
  if (!isHex32(hex)) throw new TypeError("expected 64 lower-case hex digits");
  return Buffer.from(hex, "hex");
}
