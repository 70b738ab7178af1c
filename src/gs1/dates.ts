// GS1 dates YYMMDD (GS1 General Specifications §7.12) and their calendar dates.

/**
 * The four-digit year of a two-digit YY (§7.12): the one that puts it within 49 years back or
 * 50 years ahead of `thisYear`.
 */
export function yearOfYy(yy: number, thisYear: number = new Date().getUTCFullYear()): number {
  const difference = yy - (thisYear % 100);
  const century = Math.floor(thisYear / 100) + (difference >= 51 ? -1 : difference <= -50 ? 1 : 0);
  return century * 100 + yy;
}

/** Days in the month `mm` (1–12) of `year`. */
export const daysInMonth = (year: number, mm: number): number => new Date(Date.UTC(year, mm, 0)).getUTCDate();

/**
 * A valid YYMMDD as an ISO 8601 calendar date "YYYY-MM-DD". DD 00, allowed in AIs 11–17, means
 * the last day of the month (§7.12), so it becomes that day. Check the value with validateAiValue
 * first: this assumes a real month and day.
 */
export function yymmddToIsoDate(value: string, thisYear?: number): string {
  const year = yearOfYy(Number(value.slice(0, 2)), thisYear);
  const mm = Number(value.slice(2, 4));
  const dd = Number(value.slice(4, 6)) || daysInMonth(year, mm);
  return `${year}-${String(mm).padStart(2, "0")}-${String(dd).padStart(2, "0")}`;
}
