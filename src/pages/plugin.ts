// Server-rendered pages (src/pages/README.md): eta templates through @fastify/view, one layout,
// partials per component; the locale negotiated per request; assets built once and served under
// content-hashed names; a strict CSP on every page. A page route calls `reply.page("scan", data)`.
import cookie from "@fastify/cookie";
import view from "@fastify/view";
import { Eta } from "eta";
import type { FastifyInstance, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { publicBaseUrl } from "../config.ts";
import { AppError } from "../errors.ts";
import { preferences } from "../resolver/negotiate.ts";
import { pageAssets } from "./assets.ts";
import { pageCsp, publicRpcUrl } from "./csp.ts";
import { decorateScanPageData } from "./scan.ts";
import { LANG_COOKIE, LOCALES, messagesWithPrefix, negotiateLocale, translator, type Locale } from "./locale.ts";

/** What every template gets besides the page's own data (`it.t`, `it.locale`, …). */
export interface PageContext {
  locale: Locale;
  t: ReturnType<typeof translator>;
  /** Logical asset name → hashed URL. */
  assets: Readonly<Record<string, string>>;
  /** The language switcher's links: this URL with `?lang=` set. */
  languages: Array<{ locale: Locale; href: string; current: boolean }>;
  /** Messages for browser scripts whose keys start with a prefix, as JSON data. */
  browserMessages(prefix: string): Readonly<Record<string, string>>;
  /** JSON that is safe inside `<script type="application/json">` (no `</script>`, no U+2028). */
  json(value: unknown): string;
  /**
   * The public RPC the browser asks (`href`: what the script fetches; our own /rpc as a same-origin
   * path, since the page may be reached under another host name than PUBLIC_BASE_URL), and whether
   * it is this service's own.
   */
  rpc: { url: string | null; href: string | null; own: boolean };
  /** `partials/<name>.eta` rendered now, with this context, for a route to keep and reuse (the scan page's timeline). */
  fragment(name: string, data: object): HtmlFragment;
}

/**
 * HTML rendered once and kept as UTF-8 bytes. A template writes it raw (`<%~ it.x %>`), which
 * writes its marker; the page's bytes are then spliced around it. So the bulk of a page that does
 * not change between requests is neither rendered, flattened nor encoded again at each one.
 */
export class HtmlFragment {
  static #count = 0;
  /** An HTML comment with a per-process nonce: escaped template output cannot contain `<`, so cannot forge it. */
  readonly marker = `<!--fragment ${randomUUID()} ${++HtmlFragment.#count}-->`;
  readonly bytes: Buffer;

  constructor(html: string) {
    this.bytes = Buffer.from(html);
  }

  toString(): string {
    return this.marker;
  }
}

/** The page's bytes: `html` with each fragment's marker replaced by the fragment's bytes. */
function pageBytes(html: string, data: Record<string, unknown>): Buffer {
  const found = Object.values(data)
    .filter((value): value is HtmlFragment => value instanceof HtmlFragment)
    .map((fragment) => ({ fragment, at: html.indexOf(fragment.marker) }))
    .filter(({ at }) => at >= 0)
    .sort((a, b) => a.at - b.at);
  // As bytes even without fragments: a string body is measured (Buffer.byteLength) and then encoded again on write.
  if (found.length === 0) return Buffer.from(html);
  const parts: Buffer[] = [];
  let from = 0;
  for (const { fragment, at } of found) {
    parts.push(Buffer.from(html.slice(from, at)), fragment.bytes);
    from = at + fragment.marker.length;
  }
  parts.push(Buffer.from(html.slice(from)));
  return Buffer.concat(parts);
}

export type PageData = Record<string, unknown> | ((context: PageContext) => Record<string, unknown> | Promise<Record<string, unknown>>);

declare module "fastify" {
  interface FastifyReply {
    /**
     * Renders `templates/<name>.eta` in the request's locale, with the page headers. `data` may be
     * a function of the page context, for data that must be said in the negotiated language.
     */
    page(name: string, data?: PageData): Promise<FastifyReply>;
  }
}

export const ASSET_MAX_AGE_S = 365 * 24 * 3600;
const templates = fileURLToPath(new URL("./templates/", import.meta.url));

/** JSON for a `<script type="application/json">` block: `<`, `>`, `&` and the JS line separators escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * scriptJson of objects the pages reuse from request to request (the trust, a language's browser
 * messages, a cached panel's receipts), written once each. Such objects are never changed once
 * made; a page that builds its data afresh gets a new object, so never a stale text.
 */
const writtenJson = new WeakMap<object, string>();
function reusedScriptJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return scriptJson(value);
  let text = writtenJson.get(value);
  if (text === undefined) writtenJson.set(value, (text = scriptJson(value)));
  return text;
}

/**
 * Eta resolves an include's file anew at every render (a JSON cache key, path joins); the
 * templates do not move while the process runs, so each (including file, name) is resolved once.
 */
class Templates extends Eta {
  constructor(config: ConstructorParameters<typeof Eta>[0]) {
    super(config);
    const resolve = this.resolvePath!;
    const resolved = new Map<string, string>();
    this.resolvePath = function (template, options) {
      const key = `${options?.filepath ?? ""}\0${template}`;
      let path = resolved.get(key);
      if (path === undefined) resolved.set(key, (path = resolve.call(this, template, options)));
      return path;
    };
  }
}

function withLang(url: string, locale: Locale): string {
  const parsed = new URL(url, "http://x");
  parsed.searchParams.set("lang", locale);
  return `${parsed.pathname}${parsed.search}`;
}

async function pagesPlugin(app: FastifyInstance): Promise<void> {
  await app.register(cookie);
  const eta = new Templates({ views: templates, cache: true, autoEscape: true });
  await app.register(view, {
    engine: { eta },
    root: templates,
    production: true,
  });
  decorateScanPageData(app);
  // Assets are built on the first page or asset request, not at start: esbuild takes seconds on a busy
  // machine, and a process that serves only the API (a replica behind a page cache, a test, a
  // restart after a crash) should be ready at once. The build is memoized per process (assets.ts).
  const rpcUrl = publicRpcUrl(app.config, app.chain.embedded);
  const own = rpcUrl !== null && rpcUrl === `${publicBaseUrl(app.config)}/rpc`;
  const rpc = { url: rpcUrl, href: own ? "/rpc" : rpcUrl, own };
  const csp = pageCsp(rpcUrl);

  app.decorateReply("page", async function page(this: FastifyReply, name: string, data: PageData = {}) {
    const request = this.request;
    const assets = await pageAssets();
    const { locale, fromQuery } = negotiateLocale(request);
    // The choice made with ?lang= sticks for the next pages; a year, site-wide, not readable cross-site.
    if (fromQuery) this.setCookie(LANG_COOKIE, locale, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax", httpOnly: true });
    const context: PageContext = {
      locale,
      t: translator(locale),
      assets: assets.urls,
      languages: LOCALES.map((l) => ({ locale: l, href: withLang(request.url, l), current: l === locale })),
      browserMessages: (prefix) => messagesWithPrefix(locale, prefix),
      json: reusedScriptJson,
      rpc,
      fragment: (partial, data) => new HtmlFragment(eta.render(`./partials/${partial}`, { ...data, ...context })),
    };
    const own = typeof data === "function" ? await data(context) : data;
    const html = await this.viewAsync(name, { ...own, ...context });
    // The page's language depends on the query, the cookie and Accept-Language; a route adds its own (Accept).
    const vary = this.getHeader("vary");
    const needed = ["Accept-Language", "Cookie"];
    const have = typeof vary === "string" ? vary.split(",").map((v) => v.trim()) : [];
    this.header("vary", [...have, ...needed.filter((n) => !have.some((h) => h.toLowerCase() === n.toLowerCase()))].join(", "));
    this.header("content-security-policy", csp).header("content-language", locale);
    if (!this.hasHeader("cache-control")) this.header("cache-control", "no-cache");
    return this.type("text/html; charset=utf-8").send(pageBytes(html, own));
  });

  app.get(
    "/assets/:file",
    {
      config: { access: "public" },
      schema: { hide: true, params: { type: "object", properties: { file: { type: "string", maxLength: 100 } }, required: ["file"] } },
    },
    async (request, reply) => {
      const asset = (await pageAssets()).byFile.get((request.params as { file: string }).file);
      if (!asset) throw new AppError("NOT_FOUND", "no such asset", { field: "params.file" });
      // The name holds the content's hash: a changed file is a new URL, so this one never changes.
      reply.header("cache-control", `public, max-age=${ASSET_MAX_AGE_S}, immutable`).header("vary", "Accept-Encoding").type(asset.contentType);
      const accepted = preferences(request.headers["accept-encoding"]).map((p) => p.value);
      if (accepted.includes("br")) return reply.header("content-encoding", "br").send(asset.br);
      if (accepted.includes("gzip")) return reply.header("content-encoding", "gzip").send(asset.gzip);
      return reply.send(asset.body);
    },
  );
}

export default fp(pagesPlugin, { name: "tracemark-pages", dependencies: ["tracemark-context", "tracemark-security-headers"] });
