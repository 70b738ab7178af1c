// Which answer a resolver request gets (GS1-Conformant Resolver 1.2 §"Resolving"): the linkset
// itself (200) when asked for by `linkType=linkset` (or `all`, the 1.0/1.1 spelling) or by
// `Accept: application/linkset+json`; otherwise a redirect (307, as GS1's own resolver) to the
// link of the requested `linkType`, or to the default link, with the request's query string
// passed on; 404 when no level has a link of the requested type.
import { AppError } from "../errors.ts";
import type { Link, LinkContext } from "./linkset.ts";
import { GS1_VOC, OWN_PREFIX, ownVocabulary } from "./vocabulary.ts";

export const LINKSET_MEDIA_TYPE = "application/linkset+json";

export interface ResolverRequest {
  linkType: string | undefined;
  /** `context` query parameter, matched against a link's context (Resolver 1.2 §"Link metadata"). */
  context: string | undefined;
  accept: string | undefined;
  acceptLanguage: string | undefined;
  /** The raw query string (still percent-encoded), without "?". */
  rawQuery: string;
}

export type Answer = { kind: "linkset"; mediaType: string } | { kind: "redirect"; location: string; linkType: string };

interface Preference {
  value: string;
  q: number;
}

/** RFC 9110 §12.5.1/§12.5.4 list with q-values, best first; q=0 means "not acceptable" and is dropped. */
export function preferences(header: string | undefined): Preference[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part, index) => {
      const [value = "", ...params] = part.split(";").map((s) => s.trim());
      const q = Number(/^q=([0-9.]+)$/i.exec(params.find((p) => /^q=/i.test(p)) ?? "")?.[1] ?? 1);
      return { value: value.toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((p) => p.value !== "" && p.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ value, q }) => ({ value, q }));
}

/** The link-type URI a `linkType` value names: gs1:{term}, the GS1 URI, a term of ours, or another namespace's URI. */
export function requestedLinkType(text: string, base: string): string {
  if (text.startsWith("gs1:")) return GS1_VOC + text.slice(4);
  if (text.startsWith(OWN_PREFIX)) return ownVocabulary(base) + text.slice(OWN_PREFIX.length);
  if (/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(text)) return ownVocabulary(base) + text;
  if (/^https?:\/\/\S+$/.test(text)) return text;
  throw new AppError("VALIDATION_FAILED", "query.linkType must be linkset, all, gs1:{term}, tracemark:{term}, a term of ours or an absolute link-type URI", { field: "query.linkType" });
}

export function negotiate(base: string, contexts: readonly LinkContext[], request: ResolverRequest): Answer {
  const linkType = request.linkType;
  const accepts = preferences(request.accept);
  if (linkType === "linkset" || linkType === "all") return { kind: "linkset", mediaType: linksetMediaType(accepts) };
  if (linkType === undefined && accepts.some((a) => a.value === LINKSET_MEDIA_TYPE)) return { kind: "linkset", mediaType: LINKSET_MEDIA_TYPE };

  const type = linkType === undefined ? `${GS1_VOC}defaultLink` : requestedLinkType(linkType, base);
  // The most specific level that has links of the type: an item's request finds its product's pip.
  const candidates = [...contexts].reverse().find((c) => (c.links.get(type) ?? []).length > 0)?.links.get(type);
  if (!candidates) {
    throw new AppError("NOT_FOUND", `no link of type ${linkType} for this identifier; ?linkType=linkset lists the links there are`, { field: "query.linkType" });
  }
  const link = bestMatch(candidates, request, accepts);
  return { kind: "redirect", location: withQuery(link.href, passedOn(request.rawQuery)), linkType: type };
}

/**
 * Whether a request without `linkType` wants the scan page (the default link for browsers):
 * text/html is acceptable and preferred to every JSON type it names. A browser sends
 * "text/html,…,*\/*;q=0.8"; JSON clients, and `*\/*` alone (curl), keep the redirect and the linkset.
 */
export function prefersHtml(linkType: string | undefined, accept: string | undefined): boolean {
  if (linkType !== undefined) return false;
  const accepts = preferences(accept);
  const html = accepts.find((a) => a.value === "text/html" || a.value === "application/xhtml+xml");
  if (html === undefined) return false;
  return !accepts.some((a) => (a.value === "application/json" || a.value === LINKSET_MEDIA_TYPE) && a.q > html.q);
}

/** application/json when the client asks for it rather than for the linkset type; the body is the same. */
function linksetMediaType(accepts: readonly Preference[]): string {
  const json = accepts.findIndex((a) => a.value === "application/json");
  const linkset = accepts.findIndex((a) => a.value === LINKSET_MEDIA_TYPE);
  return json >= 0 && (linkset < 0 || json < linkset) ? "application/json" : LINKSET_MEDIA_TYPE;
}

/**
 * Resolver 1.2: "SHALL redirect to the default link unless there is information in the request
 * that can be matched against available link metadata": the request's context, languages
 * (Accept-Language against hreflang, by primary subtag as a fallback) and media types (Accept
 * against type) each narrow the candidates when some candidate matches them; ties keep the
 * order links were listed in.
 */
function bestMatch(links: readonly Link[], request: ResolverRequest, accepts: readonly Preference[]): Link {
  let pool = [...links];
  const narrow = (matches: (link: Link) => boolean) => {
    const kept = pool.filter(matches);
    if (kept.length > 0) pool = kept;
  };
  if (request.context !== undefined) narrow((l) => l.context?.includes(request.context!) ?? false);
  for (const { value: language } of preferences(request.acceptLanguage)) {
    const exact = pool.filter((l) => l.hreflang?.some((h) => h.toLowerCase() === language));
    const primary = pool.filter((l) => l.hreflang?.some((h) => h.toLowerCase().split("-")[0] === language.split("-")[0]));
    if (exact.length > 0 || primary.length > 0) {
      pool = exact.length > 0 ? exact : primary;
      break;
    }
  }
  for (const { value: mediaType } of accepts) {
    if (mediaType === "*/*") break;
    const kept = pool.filter((l) => l.type?.toLowerCase() === mediaType || (mediaType.endsWith("/*") && l.type?.toLowerCase().startsWith(mediaType.slice(0, -1))));
    if (kept.length > 0) {
      pool = kept;
      break;
    }
  }
  return pool[0]!;
}

/** Resolver 1.2: "By default, SHALL pass on all key=value pairs in the query string" — all but linkType, which was for us. */
function passedOn(rawQuery: string): string[] {
  return rawQuery.split("&").filter((pair) => pair !== "" && !/^linkType(=|$)/.test(pair));
}

function withQuery(href: string, pairs: readonly string[]): string {
  if (pairs.length === 0) return href;
  const hash = href.indexOf("#");
  const [target, fragment] = hash < 0 ? [href, ""] : [href.slice(0, hash), href.slice(hash)];
  return `${target}${target.includes("?") ? "&" : "?"}${pairs.join("&")}${fragment}`;
}
