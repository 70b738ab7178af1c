// The GS1-Conformant resolver (Resolver standard 1.2) at the Digital Link paths, and its
// description file. Public: a phone that scans a code has no key.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { publicBaseUrl } from "../config.ts";
import { resolverDescription } from "../resolver/description.ts";
import { identify, type Level } from "../resolver/identity.ts";
import { contextsOf, linksetDocument, targets } from "../resolver/linkset.ts";
import { LINKSET_MEDIA_TYPE, negotiate, prefersHtml } from "../resolver/negotiate.ts";
import { scanPageRenderer } from "../pages/scan-page.ts";
import { requestUri } from "../resolver/request-uri.ts";
import { ErrorBody } from "../schemas/common.ts";
import { ResolverDescription, ResolverQuery } from "../schemas/resolver.ts";

/** The Digital Link paths this resolver answers; each also with a trailing slash (Resolver 1.2 SHOULD tolerate it). */
export const RESOLVER_PATHS = ["/01/:gtin", "/01/:gtin/10/:lot", "/01/:gtin/21/:serial", "/01/:gtin/10/:lot/21/:serial"] as const;

/**
 * How long a scan's answer may be cached. A recall or a new merchant link shows within this; a
 * 4xx is never cached (the security headers plugin's no-store), so a product registered a moment
 * after a scan is found at the next one.
 */
export const RESOLVER_MAX_AGE_S = 60;

const resolverRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const base = publicBaseUrl(app.config);

  app.get(
    "/.well-known/gs1resolver",
    {
      config: { access: "public" },
      schema: { tags: ["resolver"], summary: "The GS1 resolver description file (GS1-Conformant Resolver 1.2)", response: { 200: ResolverDescription } },
    },
    async (_request, reply) => {
      reply.header("cache-control", "public, max-age=3600");
      return resolverDescription(base);
    },
  );

  const scanPage = scanPageRenderer(app);

  /** Resolver 1.2 SHOULD: a Link header to the linkset on every answer, redirects included. */
  const answerHeaders = (reply: FastifyReply, level: Pick<Level, "anchor" | "description">) =>
    reply
      .header("link", `<${targets(base).linkset(level.anchor)}>; rel="linkset"; type="${LINKSET_MEDIA_TYPE}"; ${linkTitle(`All links for ${level.description}`)}`)
      .header("vary", "Accept, Accept-Language")
      .header("access-control-allow-methods", "GET, HEAD, OPTIONS");

  const resolve = async (request: FastifyRequest<{ Querystring: { linkType?: string; context?: string } }>, reply: FastifyReply) => {
    const { query, rawQuery } = requestUri(request.url);
    // The scan page is this resolver's default link for browsers (src/pages/): same URL, no
    // redirect. It finds the level in the history it shows, so a scan costs no lookup of its own.
    if (prefersHtml(request.query.linkType, request.headers.accept)) {
      return scanPage(request, reply, `${base}${request.url.split("?", 1)[0]!.replace(/\/+$/, "")}`, query, (level) => answerHeaders(reply, level));
    }
    const identity = await identify(app.db, query);
    const contexts = contextsOf(base, identity);
    answerHeaders(reply, identity.requested);
    const answer = negotiate(base, contexts, {
      linkType: request.query.linkType,
      context: request.query.context,
      accept: request.headers.accept,
      acceptLanguage: request.headers["accept-language"],
      rawQuery,
    });
    reply.header("cache-control", `public, max-age=${RESOLVER_MAX_AGE_S}`);
    // As bytes: RFC 9264 §7.1 registers application/linkset+json without a charset parameter (JSON is UTF-8).
    if (answer.kind === "linkset") return reply.type(answer.mediaType).send(Buffer.from(JSON.stringify(linksetDocument(contexts))));
    return reply.redirect(answer.location, 307);
  };

  for (const path of RESOLVER_PATHS) {
    for (const url of [path, `${path}/`]) {
      app.get(
        url,
        {
          config: { access: "public" },
          schema: {
            tags: ["resolver"],
            summary: `Resolve ${path.replaceAll(":", "")} (GS1 Digital Link)`,
            description:
              "GS1-Conformant resolver (Resolver standard 1.2): 307 to the default link, or to `?linkType=gs1:…` with the query string passed on; the RFC 9264 linkset " +
              "(every level up to the GTIN) with `?linkType=linkset` or `Accept: application/linkset+json`; 404 for an unknown identifier or an absent link type; 400 for a URI that is not GS1 Digital Link syntax.",
            querystring: ResolverQuery,
            response: {
              200: Type.Unknown({ description: "The RFC 9264 linkset (application/linkset+json)" }),
              307: Type.Null({ description: "Redirect to the chosen link; Location holds it" }),
              400: ErrorBody,
              404: ErrorBody,
            },
          },
        },
        resolve,
      );
    }
  }
};

export default resolverRoutes;

/**
 * A Link header's title (RFC 8288 §3.4.1): a header value is ASCII, so a title with other
 * characters (a product named in Chinese) goes in `title*` as RFC 8187 UTF-8 percent-encoding.
 */
function linkTitle(title: string): string {
  if (/^[\x20-\x7e]*$/.test(title)) return `title="${title.replace(/["\\]/g, "")}"`;
  return `title*=UTF-8''${encodeURIComponent(title).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
