// Which language a page speaks, and its messages. zh-CN is the default (the shoppers this serves);
// English on request. Precedence: `?lang=` (which also sets the `lang` cookie, so the choice
// sticks), then that cookie, then Accept-Language (RFC 9110 §12.5.4), then zh-CN.
import { readFileSync } from "node:fs";
import type { FastifyRequest } from "fastify";
import { preferences } from "../resolver/negotiate.ts";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "zh-CN";
export const LANG_COOKIE = "lang";

export type Messages = Readonly<Record<string, string>>;

function load(locale: Locale): Messages {
  return JSON.parse(readFileSync(new URL(`./locales/${locale}.json`, import.meta.url), "utf8")) as Messages;
}

/** The catalogues, read once per process. */
export const CATALOGUES: Readonly<Record<Locale, Messages>> = Object.freeze({ "zh-CN": load("zh-CN"), en: load("en") });

/** "en", "EN-gb", "zh", "zh-Hans-CN" → a locale we speak, or undefined. */
export function localeOf(tag: string | undefined): Locale | undefined {
  if (tag === undefined) return undefined;
  const primary = tag.trim().toLowerCase().split("-")[0];
  if (primary === "en") return "en";
  if (primary === "zh") return "zh-CN";
  return undefined;
}

export interface Negotiated {
  locale: Locale;
  /** `?lang=` named a locale: the caller sets the cookie. */
  fromQuery: boolean;
}

export function negotiateLocale(request: FastifyRequest): Negotiated {
  const query = (request.query as Record<string, unknown> | undefined)?.["lang"];
  const fromQuery = typeof query === "string" ? exact(query) : undefined;
  if (fromQuery) return { locale: fromQuery, fromQuery: true };
  const cookie = exact(request.cookies?.[LANG_COOKIE]);
  if (cookie) return { locale: cookie, fromQuery: false };
  for (const { value } of preferences(request.headers["accept-language"])) {
    const locale = localeOf(value);
    if (locale) return { locale, fromQuery: false };
  }
  return { locale: DEFAULT_LOCALE, fromQuery: false };
}

/** Only the exact spellings the switcher writes: a cookie or query is ours, not a user's free text. */
function exact(value: string | undefined): Locale | undefined {
  return LOCALES.find((l) => l === value);
}

/** A translator for `locale`: `t("scan.lot", { lot: "L1" })` replaces `{lot}`. A missing key throws (tests catch it). */
export function translator(locale: Locale): (key: string, params?: Record<string, string | number>) => string {
  const messages = CATALOGUES[locale];
  return (key, params) => {
    const text = messages[key];
    if (text === undefined) throw new Error(`no message "${key}" in locales/${locale}.json`);
    return params === undefined ? text : text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

const byPrefix = new Map<string, Readonly<Record<string, string>>>();

/** The messages whose keys start with `prefix`, for a browser script (embedded as JSON data); picked once per language and prefix. */
export function messagesWithPrefix(locale: Locale, prefix: string): Readonly<Record<string, string>> {
  const key = `${locale} ${prefix}`;
  let picked = byPrefix.get(key);
  if (picked === undefined) byPrefix.set(key, (picked = Object.freeze(Object.fromEntries(Object.entries(CATALOGUES[locale]).filter(([k]) => k.startsWith(prefix))))));
  return picked;
}
