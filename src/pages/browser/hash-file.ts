// SHA-256 of a file in the browser, streaming: hash-wasm's incremental hasher over slices of the
// file, so a 2 GB video never sits in memory whole (WebCrypto's digest takes one buffer). The
// result is what `sha256sum` prints for the same bytes.
import { createSHA256 } from "hash-wasm";
import type { Blobish } from "./consumer-dom.ts";

/** 8 MiB slices: few enough calls, small enough memory. */
const SLICE = 8 * 1024 * 1024;

export async function sha256OfBlob(blob: Blobish, onProgress: (done: number, total: number) => void = () => {}): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  onProgress(0, blob.size);
  for (let offset = 0; offset < blob.size; offset += SLICE) {
    const end = Math.min(blob.size, offset + SLICE);
    hasher.update(new Uint8Array(await blob.slice(offset, end).arrayBuffer()));
    onProgress(end, blob.size);
  }
  return hasher.digest("hex");
}

export async function sha256OfText(text: string): Promise<string> {
  const hasher = await createSHA256();
  hasher.init();
  hasher.update(new TextEncoder().encode(text));
  return hasher.digest("hex");
}
