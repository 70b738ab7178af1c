// Client input → GS1 values, or a 400 that names the request field and says what GS1 rule it
// broke (the message of src/gs1's Gs1SyntaxError).
import { AppError } from "../errors.ts";
import { Gs1SyntaxError, gs1CheckDigit, isValidGtin, lookupAi, toGtin14, validateAiValue, yymmddToIsoDate } from "../gs1/index.ts";

export const invalidField = (field: string, problem: string) => new AppError("VALIDATION_FAILED", `${field} ${problem}`, { field });

/** A GTIN-8, -12, -13 or -14 with a right check digit, as the GTIN-14 Digital Link URIs carry (§3.3.2). */
export function gtin14Of(value: string, field: string): string {
  if (!/^([0-9]{8}|[0-9]{12,14})$/.test(value)) throw invalidField(field, "must be a GTIN: 8, 12, 13 or 14 digits");
  if (!isValidGtin(value)) {
    const expected = gs1CheckDigit(value.slice(0, -1));
    throw invalidField(field, `has a wrong check digit: ${value.at(-1)}, where GS1 General Specifications §7.9.1 gives ${expected}`);
  }
  return toGtin14(value) as string;
}

/** Checks `value` as the value of `ai` (length, character set, syntax tests), naming `field`. */
export function aiValueOf(ai: string, value: string, field: string): string {
  const entry = lookupAi(ai);
  if (!entry) throw new Error(`AI (${ai}) is not in the table`);
  try {
    validateAiValue(entry, value);
  } catch (error) {
    if (error instanceof Gs1SyntaxError) throw invalidField(field, `is not a valid ${error.message}`);
    throw error;
  }
  return value;
}

/** AI (10) BATCH/LOT: up to 20 characters of GS1 character set 82. */
export const lotOf = (value: string, field: string) => aiValueOf("10", value, field);

/** AI (21) SERIAL: up to 20 characters of GS1 character set 82. */
export const serialOf = (value: string, field: string) => aiValueOf("21", value, field);

/**
 * A date as GS1 writes it in AI `ai` (YYMMDD, §7.12; DD 00 is the month's last day where the AI
 * allows it) or as ISO 8601 "YYYY-MM-DD"; returned as the ISO date.
 */
export function dateOf(ai: "11" | "17", value: string, field: string): string {
  if (/^[0-9]{6}$/.test(value)) return yymmddToIsoDate(aiValueOf(ai, value, field));
  const iso = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!iso) throw invalidField(field, "must be a date YYMMDD (GS1) or YYYY-MM-DD (ISO 8601)");
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) throw invalidField(field, `${value} is not a calendar date`);
  return value;
}
