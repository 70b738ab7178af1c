import rateLimit from "@fastify/rate-limit";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { AppError } from "../errors.ts";
import { findPublicRecord, notarizePublic } from "../public/records.ts";
import { ErrorBody } from "../schemas/common.ts";
import { PublicRecordIdParams, PublicRecordInput, PublicRecordView } from "../schemas/public.ts";

/** A record's hash and a few labels: a small body is all this route ever needs. */
const BODY_LIMIT = 4 * 1024;

const publicRecordsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Per client (IP) on each route; notarizing also has a limit across all clients, per process.
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) => new AppError("RATE_LIMITED", `too many requests from your address: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s`),
  });
  const everyone = app.createRateLimit({ max: app.config.PUBLIC_NOTARIZE_GLOBAL_LIMIT, timeWindow: 60_000, keyGenerator: () => "everyone" });

  app.post(
    "/v1/public/records",
    {
      bodyLimit: BODY_LIMIT,
      config: { access: "public", rateLimit: { max: app.config.PUBLIC_NOTARIZE_RATE_LIMIT, timeWindow: 60_000 } },
      preHandler: async (request, reply) => {
        const verdict = await everyone(request);
        // isAllowed means allow-listed; a counted request is refused only once it exceeds the limit.
        if (verdict.isAllowed || !verdict.isExceeded) return;
        reply.header("retry-after", String(verdict.ttlInSeconds));
        throw new AppError("RATE_LIMITED", `the service takes at most ${verdict.max} public notarizations a minute from everyone together, and has reached that; retry in ${verdict.ttlInSeconds} s`);
      },
      schema: {
        tags: ["public"],
        summary: "Notarize the SHA-256 of your own file or text, without a key",
        description:
          "Only the hash is sent (the browser computes it); the content never reaches the service. Kinds: consumer.file, consumer.text. " +
          "Answers 202 with the record's id, its first (pending) receipt and the links to follow it: the id is unguessable, and whoever holds it can read the receipt. " +
          "Rate-limited per client and for all clients together.",
        body: PublicRecordInput,
        response: { 202: PublicRecordView, 400: ErrorBody, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => reply.status(202).send(await notarizePublic(app.db, request.body)),
  );

  app.get(
    "/v1/public/records/:publicRecordId",
    {
      config: { access: "public", rateLimit: { max: app.config.PUBLIC_RATE_LIMIT, timeWindow: 60_000 } },
      schema: {
        tags: ["public"],
        summary: "A public notarization's status and current receipt",
        description: "For the receipt page /r/{id}, which polls it until the record is final. Only records notarized through POST /v1/public/records; any other id is a 404.",
        params: PublicRecordIdParams,
        response: { 200: PublicRecordView, 400: ErrorBody, 404: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      // It changes until final; caches must ask again.
      reply.header("cache-control", "no-cache");
      return findPublicRecord(app.db, request.params.publicRecordId);
    },
  );
};

export default publicRecordsRoutes;
