// Record salts (DESIGN.md: 32 random bytes per record, from the CSPRNG) drawn from a pool filled
// 2,048 salts at a time: one randomFillSync per request was ~2 % of a single write's server CPU
// (issue 7's profile). Node's randomUUID() buffers the same way. Every byte is handed out once:
// the pool is never rewritten, a spent pool is replaced by a new buffer.
import { randomBytes } from "node:crypto";

const SALT_BYTES = 32;
const POOL_SALTS = 2_048;

let pool = Buffer.alloc(0);
let offset = 0;

/** `count` fresh salts, back to back (32 bytes each). */
export function takeSalts(count: number): Buffer {
  const bytes = count * SALT_BYTES;
  if (bytes > POOL_SALTS * SALT_BYTES) return randomBytes(bytes);
  if (offset + bytes > pool.length) {
    pool = randomBytes(POOL_SALTS * SALT_BYTES);
    offset = 0;
  }
  const salts = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return salts;
}
