// Dates as the pages write them: in one time zone for every reader (the page is read in China
// first, and the same zone keeps times comparable), in the reader's language.
//
// The formatters are made once per language: Date#toLocaleString with options builds a new
// Intl.DateTimeFormat at every call (tens of microseconds), and a scan page writes dozens of dates.
import type { Locale } from "./locale.ts";

/** Shown beside dates on every page. */
export const PAGE_TIME_ZONE = "Asia/Shanghai";

const intlLocale = (locale: Locale) => (locale === "en" ? "en-GB" : "zh-CN");

const memo = <T>(make: (locale: Locale) => T) => {
  const made = new Map<Locale, T>();
  return (locale: Locale): T => {
    let value = made.get(locale);
    if (value === undefined) made.set(locale, (value = make(locale)));
    return value;
  };
};

const timeFormat = memo((locale) => new Intl.DateTimeFormat(intlLocale(locale), { timeZone: PAGE_TIME_ZONE, dateStyle: "medium", timeStyle: "short" }));
const instantDayFormat = memo((locale) => new Intl.DateTimeFormat(intlLocale(locale), { timeZone: PAGE_TIME_ZONE, dateStyle: "medium" }));
const calendarDayFormat = memo((locale) => new Intl.DateTimeFormat(intlLocale(locale), { timeZone: "UTC", dateStyle: "medium" }));

/** Instants said recently, per language: a code's first check is written on every later scan of it. */
const saidTimes = memo(() => new Map<string, string>());
const SAID_TIMES_MAX = 10_000;

/** An instant (RFC 3339) as date and time. */
export function formatTime(iso: string, locale: Locale): string {
  const said = saidTimes(locale);
  let text = said.get(iso);
  if (text === undefined) {
    // Formatting costs about 10 µs; the oldest entry goes first, as in the pages' other bounded maps.
    if (said.size >= SAID_TIMES_MAX) said.delete(said.keys().next().value!);
    said.set(iso, (text = timeFormat(locale).format(new Date(iso))));
  }
  return text;
}

/** A day: an RFC 3339 instant (its date in the page's zone) or a calendar date YYYY-MM-DD (as written). */
export function pageDate(value: string, locale: Locale): string {
  // A bare date is a calendar day: format it at noon UTC so no time zone moves it.
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return calendarDayFormat(locale).format(new Date(`${value}T12:00:00Z`));
  return instantDayFormat(locale).format(new Date(value));
}
