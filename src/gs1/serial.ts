// Random serial numbers for AI (21): drawn so that nobody can guess or enumerate the serials of a
// lot from the ones printed on the goods they hold.

/**
 * The serial alphabet: the 62 letters and digits. All are in GS1 character set 82 (AI 21 is
 * X..20, General Specifications §3.2) and all are RFC 3986 unreserved, so a serial is never
 * percent-encoded and the QR code of its Digital Link stays short. The other characters of set 82
 * (!"%&'()*+,/:;<=>?) would each cost three characters as %XX.
 */
export const SERIAL_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Upper case and digits only: fewer bits per character, but fits a QR code's alphanumeric mode. */
export const SERIAL_ALPHABET_UPPER = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** AI (21) holds at most 20 characters. */
export const MAX_SERIAL_LENGTH = 20;

/** Entropy of a serial of `length` characters from `alphabet`: length × log2(alphabet size). */
export const serialEntropyBits = (length: number, alphabet: string = SERIAL_ALPHABET): number =>
  length * Math.log2(alphabet.length);

/**
 * A serial of `length` characters, each drawn uniformly and independently from `alphabet` with
 * a CSPRNG. Bytes at or above the largest multiple of the alphabet size are
 * discarded (rejection sampling), so no character is likelier than another.
 *
 * Entropy: log2(62) ≈ 5.95 bits per character; 12 characters ≈ 71.5 bits, 11 ≈ 65.5 bits
 * (≥ 64 bits). With the upper-case alphabet, log2(36) ≈ 5.17 bits per character: 13 characters
 * ≈ 67.2 bits. At a million serials per lot, the chance that a guessed 12-character serial exists
 * is 10^6 / 2^71.5 ≈ 3 × 10^-16.
 */
export function randomSerial(length: number, alphabet: string = SERIAL_ALPHABET): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_SERIAL_LENGTH) {
    throw new RangeError(`a serial has 1 to ${MAX_SERIAL_LENGTH} characters, not ${length}`);
  }
  const limit = rejectionLimitOf(alphabet);
  let serial = "";
  while (serial.length < length) {
    const byte = nextRandomByte();
    if (byte < limit) serial += alphabet[byte % alphabet.length];
  }
  return serial;
}

// An alphabet is checked once, not on each of a job's 100,000 calls.
const limits = new Map<string, number>();

/** The bytes below this are used, the rest drawn again: the largest multiple of the alphabet's size ≤ 256. */
function rejectionLimitOf(alphabet: string): number {
  const known = limits.get(alphabet);
  if (known !== undefined) return known;
  if (alphabet.length < 2 || alphabet.length > 256 || new Set(alphabet).size !== alphabet.length) {
    throw new RangeError("the alphabet needs 2 to 256 distinct characters");
  }
  const limit = 256 - (256 % alphabet.length);
  if (limits.size < 16) limits.set(alphabet, limit);
  return limit;
}

// Random bytes come from Web Crypto's getRandomValues (the OS CSPRNG in Node and in browsers,
// so the scan page can use this file too), through a pool refilled 4 KiB at a time: one CSPRNG
// call per ~300 serials instead of one per serial. Each byte is used once.
const pool = new Uint8Array(4096);
let poolAt = pool.length;
function nextRandomByte(): number {
  if (poolAt === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}
