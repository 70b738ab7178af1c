// GS1 element strings: the AI data a barcode carries (GS1 General Specifications §7.8).
import { lookupAi } from "./application-identifiers.ts";

/** One AI with its value, e.g. { ai: "10", value: "ABC123" }. */
export interface AiElement {
  readonly ai: string;
  readonly value: string;
}

/**
 * The element string with "^" for FNC1, in the given order, as the GS1 Syntax Engine writes it:
 * FNC1 first (the GS1 symbology identifier), then each AI and value, with an FNC1 after every
 * value except the last and except after AIs of predefined length (§7.8.5), e.g.
 * `^010952012345678810ABC1^2112345^17180426`.
 */
export function toElementString(elements: readonly AiElement[]): string {
  let out = "^";
  let separatorNeeded = false;
  for (const { ai, value } of elements) {
    if (separatorNeeded) out += "^";
    out += ai + value;
    separatorNeeded = lookupAi(ai)?.fnc1Required ?? true;
  }
  return out;
}

/** The human-readable form (§4.15): `(01)09520123456788(10)ABC1(21)12345(17)180426`. */
export const toBracketedElementString = (elements: readonly AiElement[]): string =>
  elements.map(({ ai, value }) => `(${ai})${value}`).join("");
