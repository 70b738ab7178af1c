// Validation of one AI value against its format: length, character set and the syntax tests of
// each component (GS1 General Specifications §3.2 formats, §7.9 check digits, §7.11 character
// sets, §7.12 dates).
import type { AiComponent, ApplicationIdentifier, SyntaxTest } from "./application-identifiers.ts";
import { isCharset39, isCharset82, isDigits } from "./charset.ts";
import { daysInMonth, yearOfYy } from "./dates.ts";
import { Gs1SyntaxError } from "./errors.ts";
import { hasValidCheckDigit } from "./gtin.ts";

const CHARSET_TEST: Record<AiComponent["charset"], [(v: string) => boolean, string]> = {
  N: [isDigits, "digits only"],
  X: [isCharset82, "characters of GS1 character set 82"],
  Y: [isCharset39, "characters of GS1 character set 39"],
};

/**
 * Checks `value` against the AI's format and throws a BAD_VALUE Gs1SyntaxError naming the AI if
 * it does not fit. Components consume the value left to right, each as much as its maximum
 * length allows; optional components may be absent only at the end (§3.2).
 */
export function validateAiValue(entry: ApplicationIdentifier, value: string): void {
  const fail = (problem: string) => {
    throw new Gs1SyntaxError("BAD_VALUE", `AI (${entry.ai}) ${entry.title}: ${problem}`, entry.ai);
  };
  const min = entry.components.reduce((n, c) => n + (c.optional ? 0 : c.minLength), 0);
  const max = entry.components.reduce((n, c) => n + c.maxLength, 0);
  if (value.length < min) fail(`too short (format ${entry.format})`);
  if (value.length > max) fail(`too long (format ${entry.format})`);

  let rest = value;
  for (const component of entry.components) {
    if (rest === "" && component.optional) break;
    const part = rest.slice(0, component.maxLength);
    rest = rest.slice(part.length);
    if (part.length < component.minLength) fail(`too short (format ${entry.format})`);
    const [inCharset, charsetName] = CHARSET_TEST[component.charset];
    if (!inCharset(part)) fail(`"${part}" must be ${charsetName}`);
    for (const test of component.tests) {
      const problem = SYNTAX_TESTS[test](part);
      if (problem !== null) fail(problem);
    }
  }
}

/** Each syntax test returns null when the component passes, or what is wrong with it. */
const SYNTAX_TESTS: Record<SyntaxTest, (part: string) => string | null> = {
  csum: (part) => (hasValidCheckDigit(part) ? null : `check digit of ${part} is wrong (GS1 General Specifications §7.9.1)`),
  gcppos1: (part) => (/^[0-9]{4}/.test(part) ? null : "must start with a GS1 Company Prefix (digits)"),
  gcppos2: (part) => (/^.[0-9]{4}/.test(part) ? null : "must hold a GS1 Company Prefix from its second digit"),
  yymmd0: (part) => dateProblem(part, true),
  yymmdd: (part) => dateProblem(part, false),
  hhmi: (part) => (/^([01][0-9]|2[0-3])[0-5][0-9]$/.test(part) ? null : `${part} is not a time HHMM`),
  pieceoftotal: (part) => {
    const half = part.length / 2;
    const piece = Number(part.slice(0, half));
    const total = Number(part.slice(half));
    return piece >= 1 && total >= 1 && piece <= total ? null : `piece ${piece} of ${total} is impossible`;
  },
  nozeroprefix: (part) => (part.startsWith("0") ? "must not start with 0" : null),
  zero: (part) => (part === "0" ? null : "must be 0"),
  importeridx: (part) => (/^[0-9A-Za-z_-]$/.test(part) ? null : `${part} is not an importer index (0-9, A-Z, a-z, -, _)`),
};

/**
 * A date YYMMDD (GS1 General Specifications §7.12): the century is the one that puts the year
 * within 49 years back or 50 years ahead of this year; DD 00 means "the last day of the month"
 * where the format allows it (`dayZeroAllowed`, the AIs 11–17).
 */
function dateProblem(part: string, dayZeroAllowed: boolean): string | null {
  const yy = Number(part.slice(0, 2));
  const mm = Number(part.slice(2, 4));
  const dd = Number(part.slice(4, 6));
  const year = yearOfYy(yy);
  if (mm < 1 || mm > 12) return `${part} is not a date YYMMDD: no month ${part.slice(2, 4)}`;
  if (dd > daysInMonth(year, mm) || (dd === 0 && !dayZeroAllowed)) return `${part} is not a date YYMMDD: no day ${part.slice(4, 6)} in ${year}-${part.slice(2, 4)}`;
  return null;
}
