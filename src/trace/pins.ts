// Scratch PINs: a secret per item, printed under a scratch-off layer, that shows whoever holds the
// item that they hold the real one. Tracemark stores only HMAC-SHA256(PIN_HMAC_KEY, item ‖ PIN)
// (RFC 2104), so a copy of the database does not give the PINs away (the key is not in it); the
// PIN itself is handed to the merchant once, for printing.
import { createHmac, hash, randomBytes } from "node:crypto";
import type { Config } from "../config.ts";
import { randomSerial } from "../gs1/index.ts";

/** Digits and capital letters: easy to print, read and type; log2(36) ≈ 5.17 bits a character. */
export const PIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const DEFAULT_PIN_LENGTH = 8;

export const randomPin = (length: number = DEFAULT_PIN_LENGTH): string => randomSerial(length, PIN_ALPHABET);

/**
 * The stored form of an item's PIN. The item (GTIN and serial, separated by GS, the FNC1 of GS1
 * element strings) is part of the message, so one PIN's hash says nothing about another item's.
 */
export function pinHmac(key: Buffer, gtin14: string, serial: string, pin: string): string {
  return createHmac("sha256", key).update(pinMessage(gtin14, serial, pin)).digest("hex");
}

const pinMessage = (gtin14: string, serial: string, pin: string) => `${gtin14}\u001d${serial}\u001d${pin}`;

/**
 * pinHmac for one key and many items (a job's 100,000): RFC 2104 §2 spelled out, with the padded
 * keys computed once, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), as two one-shot hashes. createHmac
 * builds a keyed context per call, which costs ten times more. Checked against pinHmac in tests.
 */
export function pinHasher(key: Buffer): (gtin14: string, serial: string, pin: string) => string {
  const block = Buffer.alloc(64); // SHA-256's block size, B in RFC 2104
  (key.length > 64 ? hash("sha256", key, "buffer") : key).copy(block);
  const ipad = Buffer.from(block.map((b) => b ^ 0x36));
  const opad = Buffer.from(block.map((b) => b ^ 0x5c));
  return (gtin14, serial, pin) => {
    const inner = hash("sha256", Buffer.concat([ipad, Buffer.from(pinMessage(gtin14, serial, pin))]), "buffer");
    return hash("sha256", Buffer.concat([opad, inner]), "hex");
  };
}

export type PinKey = { key: Buffer; perProcess: boolean } | null;

let processKey: Buffer | null = null;

/**
 * The HMAC key: PIN_HMAC_KEY; or, on the embedded PGlite, a key made for this process (PINs it
 * issued cannot be checked after a restart); or null on PostgreSQL without PIN_HMAC_KEY, where
 * the data outlives the process and PINs are refused until the operator sets one.
 */
export function pinKeyOf(config: Config, databaseKind: "postgresql" | "pglite"): PinKey {
  if (config.PIN_HMAC_KEY) return { key: Buffer.from(config.PIN_HMAC_KEY.replace(/^0x/, ""), "hex"), perProcess: false };
  if (databaseKind === "postgresql") return null;
  processKey ??= randomBytes(32);
  return { key: processKey, perProcess: true };
}
