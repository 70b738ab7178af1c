// RFC 9162 §2.1.1 leaf hashing as Tracemark applies it: the leaf data is salt || recordHash, so
//   leafHash = SHA-256(0x00 || salt(32) || recordHash(32))      — 65 bytes in.
// The salt keeps low-entropy records from being guessed from the sibling hashes a proof reveals.
import { hash } from "node:crypto";
import { bytes32 } from "./hex.ts";

const LEAF_PREFIX = 0x00;

/**
 * SHA-256 of `data` as a Buffer, the fast way. Asking node:crypto for a "buffer" digest gives
 * every digest its own ArrayBuffer, which costs twice the hash itself for a 65-byte input; a
 * "binary" (latin1) digest is a plain 32-character string (one char per byte, lossless), and
 * Buffer.from(string, "latin1") places the 32 bytes in Node's shared 8 KiB buffer pool. Same bytes,
 * about twice as fast. scripts/bench/tree.ts measures both.
 */
export function digest(data: Uint8Array): Buffer {
  return Buffer.from(hash("sha256", data, "binary"), "latin1");
}

// One reusable input buffer: hashing is synchronous, so no two calls can interleave. Saves an
// allocation per leaf when a batch of 100,000 is sealed.
const input = Buffer.alloc(65);

/** leafHash from the raw 32-byte salt and recordHash. */
export function leafHashBytes(salt: Uint8Array, recordHash: Uint8Array): Buffer {
  if (salt.length !== 32 || recordHash.length !== 32) {
    throw new RangeError("salt and recordHash must be 32 bytes each");
  }
  input[0] = LEAF_PREFIX;
  input.set(salt, 1);
  input.set(recordHash, 33);
  return digest(input);
}

/** leafHash from hex salt and recordHash (64 lower-case hex digits each), as hex. */
export function leafHash(saltHex: string, recordHashHex: string): string {
  return leafHashBytes(bytes32(saltHex), bytes32(recordHashHex)).toString("hex");
}
