// Global Trade Item Numbers: GTIN-8, GTIN-12, GTIN-13 and GTIN-14 (GS1 General Specifications §3.3.2).

export const GTIN_LENGTHS = [8, 12, 13, 14] as const;

/**
 * The GS1 modulo-10 check digit of `digits` (the payload without its check digit), GS1 General
 * Specifications §7.9.1: from the right, weights 3, 1, 3, 1, …; the check digit brings the sum up
 * to the next multiple of ten. The same algorithm serves every fixed-length numeric key
 * (GTIN, SSCC, GLN, GSRN, GDTI…), whatever its length.
 */
export function gs1CheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** True when the last digit of a numeric string is the GS1 check digit of the others (§7.9.1). */
export function hasValidCheckDigit(value: string): boolean {
  if (!/^[0-9]{2,}$/.test(value)) return false;
  return gs1CheckDigit(value.slice(0, -1)) === Number(value.at(-1));
}

/** A GTIN of any of the four lengths whose check digit is right. */
export function isValidGtin(value: string): boolean {
  return (GTIN_LENGTHS as readonly number[]).includes(value.length) && hasValidCheckDigit(value);
}

/**
 * The GTIN as 14 digits, left-padded with zeros (GS1 General Specifications §3.3.2: a GTIN-8, -12
 * or -13 keeps its value in a 14-digit field). GS1 Digital Link URIs carry the GTIN only in this
 * form (URI Syntax 1.4 onwards). Returns null for anything that is not a valid GTIN.
 */
export function toGtin14(value: string): string | null {
  return isValidGtin(value) ? value.padStart(14, "0") : null;
}
