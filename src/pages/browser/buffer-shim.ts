// The slice of Node's Buffer that src/merkle uses, for the browser bundle: from (bytes, hex, utf8,
// latin1, base64url), alloc, concat, isBuffer, equals and toString (the same encodings). A
// Uint8Array underneath, so code that takes Uint8Array works unchanged. base64url is what
// disclosures (docs/disclosure-v1.md) are written in.
type Encoding = "hex" | "utf8" | "utf-8" | "latin1" | "binary" | "base64url";

/** RFC 4648 §5 without padding, through the browser's own base64 (atob/btoa work on latin1 strings). */
const b64 = globalThis as unknown as { atob(text: string): string; btoa(text: string): string };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export class BrowserBuffer extends Uint8Array {
  static override from(value: unknown, encoding?: unknown): BrowserBuffer {
    if (typeof value === "string") return BrowserBuffer.#fromString(value, (encoding as Encoding | undefined) ?? "utf8");
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(value as ArrayLike<number>);
    const copy = new BrowserBuffer(bytes.length);
    copy.set(bytes);
    return copy;
  }

  static #fromString(text: string, encoding: Encoding): BrowserBuffer {
    if (encoding === "hex") {
      const length = Math.floor(text.length / 2);
      const out = new BrowserBuffer(length);
      for (let i = 0; i < length; i++) {
        const byte = parseInt(text.slice(2 * i, 2 * i + 2), 16);
        if (Number.isNaN(byte)) return out.subarray(0, i) as BrowserBuffer;
        out[i] = byte;
      }
      return out;
    }
    if (encoding === "base64url") {
      const base64 = text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=");
      try {
        return BrowserBuffer.#fromString(b64.atob(base64), "latin1");
      } catch {
        // Node decodes what it can and skips the rest; callers that care (disclosure.ts) check the round trip.
        return new BrowserBuffer(0);
      }
    }
    if (encoding === "latin1" || encoding === "binary") {
      const out = new BrowserBuffer(text.length);
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
      return out;
    }
    return BrowserBuffer.from(new TextEncoder().encode(text));
  }

  static alloc(size: number): BrowserBuffer {
    return new BrowserBuffer(size);
  }

  static concat(list: readonly Uint8Array[]): BrowserBuffer {
    const out = new BrowserBuffer(list.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of list) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  }

  static isBuffer(value: unknown): value is BrowserBuffer {
    return value instanceof BrowserBuffer;
  }

  equals(other: Uint8Array): boolean {
    return this.length === other.length && this.every((b, i) => b === other[i]);
  }

  override toString(encoding: Encoding = "utf8"): string {
    if (encoding === "hex") {
      let out = "";
      for (const b of this) out += HEX[b];
      return out;
    }
    if (encoding === "latin1" || encoding === "binary") {
      // In slices: spreading a large array into one call overflows the argument limit.
      let out = "";
      for (let i = 0; i < this.length; i += 8192) out += String.fromCharCode(...this.subarray(i, i + 8192));
      return out;
    }
    if (encoding === "base64url") return b64.btoa(this.toString("latin1")).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    return new TextDecoder().decode(this);
  }
}
