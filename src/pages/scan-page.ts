// GET a Digital Link URI with Accept: text/html → the scan page (the resolver's default link for
// browsers, src/routes/resolver.ts). The data is GET /v1/trace's answer, parsed once per version.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { publicBaseUrl } from "../config.ts";
import { serviceTrust } from "../chain/trust.ts";
import type { TraceViewT } from "../schemas/epcis.ts";
import { TraceHistory } from "../trace/events/trace-view.ts";
import { scanPageData } from "./scan.ts";

/** Parsed answers kept, by ETag: a hot code is parsed once per change, not once per scan. */
const PARSED_ENTRIES = 1_000;

export function scanPageRenderer(app: FastifyInstance): (request: FastifyRequest, reply: FastifyReply, uri: string) => Promise<FastifyReply> {
  const history = new TraceHistory(app.db, publicBaseUrl(app.config));
  const trust = serviceTrust(app.chain);
  const parsed = new Map<string, TraceViewT>();
  const viewOf = (etag: string, body: string) => {
    let view = parsed.get(etag);
    if (view === undefined) {
      view = JSON.parse(body) as TraceViewT;
      if (parsed.size >= PARSED_ENTRIES) parsed.delete(parsed.keys().next().value!);
      parsed.set(etag, view);
    }
    return view;
  };
  return async (request, reply, uri) => {
    const answer = await history.answer(uri);
    const view = viewOf(answer.etag, answer.body);
    const extras = await Promise.all((app.scanPageData ?? []).map((provide) => provide(view, request)));
    // Always asked again: a recall must show at the next scan; the page itself is small.
    reply.header("cache-control", "no-cache");
    return reply.page("scan", ({ t, locale }) => Object.assign({}, ...extras, scanPageData(view, trust, t, locale)));
  };
}

/** 404 for a browser at a code this service never issued (or not yet registered): it may be a copy. */
export function unknownCodePage(reply: FastifyReply): Promise<FastifyReply> {
  // Not cached: the product may be registered a moment later (like the resolver's JSON 404s).
  return reply.code(404).header("cache-control", "no-store").page("unknown-code", ({ t }) => ({ title: t("scan.unknown.title") }));
}
