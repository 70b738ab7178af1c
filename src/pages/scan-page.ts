// GET a Digital Link URI with Accept: text/html → the scan page (the resolver's default link for
// browsers, src/routes/resolver.ts). The data is GET /v1/trace's answer (app.traceHistory, the same
// cache), parsed once per version; said, and its timeline rendered, once per version and language.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { serviceTrust } from "../chain/trust.ts";
import { AppError } from "../errors.ts";
import { requestedLevelOf, type IdentityQuery } from "../resolver/identity.ts";
import type { TraceViewT } from "../schemas/epcis.ts";
import type { TraceAnswer } from "../trace/events/trace-view.ts";
import type { Locale } from "./locale.ts";
import type { HtmlFragment } from "./plugin.ts";
import { scanPageData, type ScanPageData } from "./scan.ts";

type RequestedLevel = NonNullable<ReturnType<typeof requestedLevelOf>>;

/** Parsed answers kept, by ETag: a hot code is parsed once per change, not once per scan. */
const PARSED_ENTRIES = 1_000;

/** Renders the page of `uri` (the request's Digital Link URI, canonical); `onLevel` sets the resolver's headers for the level it names. */
export type ScanPageRenderer = (request: FastifyRequest, reply: FastifyReply, uri: string, query: IdentityQuery, onLevel: (level: RequestedLevel) => void) => Promise<FastifyReply>;

export function scanPageRenderer(app: FastifyInstance): ScanPageRenderer {
  const trust = serviceTrust(app.chain);
  const parsed = new Map<string, { view: TraceViewT; said: Map<Locale, ScanPageData & { timelineHtml: HtmlFragment }> }>();
  const versionOf = (etag: string, bytes: Buffer) => {
    let version = parsed.get(etag);
    if (version === undefined) {
      version = { view: JSON.parse(bytes.toString("utf8")) as TraceViewT, said: new Map() };
      if (parsed.size >= PARSED_ENTRIES) parsed.delete(parsed.keys().next().value!);
      parsed.set(etag, version);
    }
    return version;
  };
  return async (request, reply, uri, query, onLevel) => {
    let answer: TraceAnswer;
    try {
      answer = await app.traceHistory.answer(uri);
    } catch (error) {
      // A shopper who scans a code we never issued reads that in words, not as JSON.
      if (error instanceof AppError && error.code === "NOT_FOUND") return unknownCodePage(reply);
      throw error;
    }
    const { view, said } = versionOf(answer.etag, answer.bytes);
    const level = requestedLevelOf(view, query);
    if (level === null) return unknownCodePage(reply);
    onLevel(level);
    const extras = await Promise.all((app.scanPageData ?? []).map((provide) => provide(view, request)));
    // Always asked again: a recall must show at the next scan; the page itself is small.
    reply.header("cache-control", "no-cache");
    return reply.page("scan", (context) => {
      const { t, locale } = context;
      let data = said.get(locale);
      if (data === undefined) {
        // The timeline (each entry with its receipt, most of the page) is rendered once per version and language.
        const plain = scanPageData(view, trust, t, locale);
        said.set(locale, (data = { ...plain, timelineHtml: context.fragment("timeline", plain) }));
      }
      return Object.assign({}, ...extras, data);
    });
  };
}

/** 404 for a browser at a code this service never issued (or not yet registered): it may be a copy. */
export function unknownCodePage(reply: FastifyReply): Promise<FastifyReply> {
  // Not cached: the product may be registered a moment later (like the resolver's JSON 404s).
  return reply.code(404).header("cache-control", "no-store").page("unknown-code", ({ t }) => ({ title: t("scan.unknown.title") }));
}
