// Deterministic bytes of any length from a seed, produced as a stream (AES-256-CTR over zeros:
// fast, and never held whole), so a test can send 500 MB and know their SHA-256 without keeping them.
import { createCipheriv, createHash } from "node:crypto";
import { Readable } from "node:stream";

const CHUNK = 256 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

export function seededBytes(seed: number, length: number): Readable {
  const key = createHash("sha256").update(`tracemark seeded bytes ${seed}`).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  let left = length;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(n === CHUNK ? ZEROS : ZEROS.subarray(0, n)));
    },
  });
}

/** SHA-256 (hex) of seededBytes(seed, length). */
export async function seededSha256(seed: number, length: number): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of seededBytes(seed, length)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
