// node:crypto's one-shot `hash()` as src/merkle calls it, for the browser bundle (aliased in
// src/pages/assets.ts): SHA-256 from @noble/hashes, synchronous like Node's.
import { sha256 } from "@noble/hashes/sha2.js";
import { BrowserBuffer } from "./buffer-shim.ts";

export function hash(algorithm: string, data: Uint8Array | string, encoding: "hex" | "buffer" | "binary" = "hex"): string | BrowserBuffer {
  if (algorithm !== "sha256") throw new Error(`only sha256 in the browser bundle, not ${algorithm}`);
  const digest = BrowserBuffer.from(sha256(typeof data === "string" ? new TextEncoder().encode(data) : data));
  if (encoding === "buffer") return digest;
  return digest.toString(encoding === "binary" ? "latin1" : "hex");
}
