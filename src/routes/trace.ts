import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { AppError } from "../errors.ts";
import { ErrorBody } from "../schemas/common.ts";
import { TraceQuery, TraceView } from "../schemas/epcis.ts";

/** RFC 9110 §13.1.2: If-None-Match holds a list of entity tags, or "*". */
const matches = (header: string | undefined, etag: string) =>
  header !== undefined && (header.trim() === "*" || header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag));

const traceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(rateLimit, {
    max: app.config.PUBLIC_RATE_LIMIT,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });

  app.get(
    "/v1/trace",
    {
      config: { access: "public" },
      schema: {
        tags: ["trace"],
        summary: "The history of a product, lot or serialised item, for scanners (public)",
        description:
          "For the GS1 Digital Link URI of a QR code: product, lot, item, merchant, recall status, and the timeline — the item's own records, its lot's and its product's, " +
          "and the EPCIS events of every case or pallet it was packed in while it was inside — each with its public receipt (envelope, salt, payload bytes, inclusion, anchor) " +
          "and status, plus each subject's chain: records, head, and the record and block it is anchored through. No API key; rate-limited. " +
          "Cacheable: revalidate with If-None-Match (ETag); any new record or anchoring changes the ETag at once.",
        querystring: TraceQuery,
        response: { 200: TraceView, 304: { type: "null", description: "Not modified (If-None-Match)" }, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, typedReply) => {
      // The answer is JSON text already, which the typed reply does not know.
      const reply = typedReply as unknown as FastifyReply;
      const answer = await app.traceHistory.answer(request.query.uri);
      // Public records only: anyone may see and keep them; caches must ask again before reuse.
      reply.header("etag", answer.etag).header("cache-control", "public, no-cache").header("vary", "accept-encoding");
      if (matches(request.headers["if-none-match"], answer.etag)) return reply.status(304).send();
      // Already JSON (the cached answer, as bytes), so it is sent as it is, not serialised again.
      return reply.type("application/json; charset=utf-8").send(answer.bytes);
    },
  );
};

export default traceRoutes;
