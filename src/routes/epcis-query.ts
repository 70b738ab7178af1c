import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { publicBaseUrl } from "../config.ts";
import { AppError } from "../errors.ts";
import { authErrors, ErrorBody } from "../schemas/common.ts";
import { EpcisQueryDocument, EpcParams, EventQueryString } from "../schemas/epcis-query.ts";
import { SubjectMapper } from "../trace/events/objects.ts";
import { epcPathMatch, parseEventQuery } from "../trace/events/query-params.ts";
import { queryDocument, queryEvents, type EventPage } from "../trace/events/query.ts";

/** EPCIS 2.0 REST binding: responses name the version of the standard they follow. */
const EPCIS_VERSION_HEADERS = { "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0" };

const HOW =
  "Events in eventTime order, as captured (with their recordTime), in an EPCISQueryDocument. Pages of `perPage` events; the next page is the " +
  '`Link: <…>; rel="next"` header (RFC 8288), whose URL carries the same filters and a `nextPageToken`; the last page has none. ' +
  "An unknown parameter or a bad value is a 400 naming it (query.EQ_bizStep, …).";

/** RFC 8288 Link to the next page: this request's path and filters, with the token of the page after this one. */
function nextLink(request: FastifyRequest, token: string): string {
  const path = request.url.split("?")[0]!;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query as Record<string, unknown>)) {
    if (name !== "nextPageToken") for (const v of [value].flat()) params.append(name, String(v));
  }
  params.set("nextPageToken", token);
  return `<${path}?${params.toString()}>; rel="next"`;
}

function send(request: FastifyRequest, reply: FastifyReply, page: EventPage) {
  reply.headers(EPCIS_VERSION_HEADERS);
  if (page.next !== null) reply.header("link", nextLink(request, page.next));
  return reply.type("application/ld+json; charset=utf-8").send(queryDocument(page.events));
}

const epcisQueryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The public per-object query is limited like GET /v1/trace; the keyed one is not.
  await app.register(rateLimit, {
    max: app.config.PUBLIC_RATE_LIMIT,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const mapper = new SubjectMapper(publicBaseUrl(app.config));

  app.get(
    "/epcis/events",
    {
      // A merchant's own repository: patterns could list serials the caller never held (src/trace/events/query.ts says why).
      config: { access: { roles: ["merchant"] }, rateLimit: false },
      schema: {
        tags: ["epcis"],
        summary: "Query your captured EPCIS events (EPCIS 2.0 REST binding, GET /events)",
        description: `${HOW} Only the events your merchant captured.`,
        security: [{ apiKey: [] }],
        querystring: EventQueryString,
        response: { 200: EpcisQueryDocument, 400: ErrorBody, ...authErrors },
      },
    },
    async (request, reply) => {
      const query = parseEventQuery(request.query, mapper);
      return send(request, reply, await queryEvents(app.db, { merchantId: request.principal!.merchantId }, query, mapper));
    },
  );

  app.get(
    "/epcis/epcs/:epc/events",
    {
      // Public like GET /v1/trace: every event is a public record, and the caller names one object exactly.
      config: { access: "public" },
      schema: {
        tags: ["epcis"],
        summary: "The EPCIS events about one object (EPCIS 2.0 REST binding, GET /epcs/{epc}/events; public)",
        description:
          `${HOW} The object is an EPC (any instance field: epcList, childEPCs, parentID, input or output lists) or an EPC class such as a lot (any quantity list), ` +
          "as an EPC URI, EPC class URI or GS1 Digital Link URI, percent-encoded; a pattern is refused. Every merchant's events about it: they are public records. " +
          "The other filters narrow it further. No API key; rate-limited.",
        params: EpcParams,
        querystring: EventQueryString,
        response: { 200: EpcisQueryDocument, 400: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const query = parseEventQuery(request.query, mapper, [epcPathMatch(request.params.epc, mapper)]);
      return send(request, reply, await queryEvents(app.db, { merchantId: null }, query, mapper));
    },
  );
};

export default epcisQueryRoutes;
